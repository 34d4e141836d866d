import XCTest

@testable import Ingest

/// Main-content extraction on mail archives' pages: a message shown with its header fields and
/// its thread's links, its parts (quotes, preformatted text) the page body's own children.
final class MailArchiveExtractionTests: XCTestCase {
  private static let envelope = """
    <ul>
    <li><em>To</em>: <a href="mailto:builds%40lists.example.org">builds@lists.example.org</a></li>
    <li><em>Subject</em>: Re: nightly build fails on the new compiler</li>
    <li><em>From</em>: Ada Example &lt;<a href="mailto:ada%40example.org">ada@example.org</a>&gt;</li>
    <li><em>Date</em>: Tue, 03 Sep 2002 10:12:44 +0200</li>
    <li><em>In-reply-to</em>: &lt;20020902.abc@example.net&gt;</li>
    <li><em>List-id</em>: Build discussion &lt;builds.lists.example.org&gt;</li>
    <li><em>Organization</em>: Example Build Farm</li>
    </ul>
    """

  private static let threadLinks = """
    <ul><li>Prev by Date: <strong><a href="m1.html">Re: mirror is down again this weekend</a></strong></li>
    <li>Next by thread: <strong><a href="m3.html">Re: nightly build fails on the new compiler</a></strong></li>
    <li>Index(es): <ul><li><a href="maillist.html">Date</a></li><li><a href="threads.html">Thread</a></li></ul></li>
    </ul>
    """

  func testAMessagesHeaderFieldsAreNotItsText() throws {
    let page = """
      <html><body><h1>Re: nightly build fails on the new compiler</h1><hr>\(Self.envelope)<hr>
      <tt>Yes, the same here since Monday.</tt>
      <pre>Bob wrote:
      </pre><blockquote><pre>
      The nightly build stops in the linker step with an undefined symbol from the
      runtime library, on every machine with the new compiler installed.
      </pre></blockquote><pre>
      Pinning the old runtime in the build script works around it until the packages are
      rebuilt; I have pushed that change to the build scripts repository this morning.
      </pre><hr>\(Self.threadLinks)</body></html>
      """
    let result = try extractedText(page)
    for line in [
      "Yes, the same here since Monday.", "Bob wrote:", "undefined symbol", "Pinning the old runtime",
    ] {
      XCTAssertTrue(result.contains(line), "\(line) missing from:\n\(result)")
    }
    for field in ["builds@lists.example.org", "Date:", "In-reply-to", "List-id", "Organization", "Prev by Date"] {
      XCTAssertFalse(result.contains(field), "\(field) kept in:\n\(result)")
    }
  }

  func testHeaderFieldsInATableAreNotItsText() throws {
    // The field's name in one cell, its value (the address) in the next.
    let page = """
      <html><body><div><h2>Re: mirror is down again</h2><table>
      <tr><td>From:</td><td>Bob Example (bob@example.net)</td></tr><tr><td>Date:</td><td>Wed, 4 Sep 2002</td></tr>
      <tr><td>Subject:</td><td>Re: mirror is down again</td></tr><tr><td>Cc:</td><td>mirrors list</td></tr></table>
      <p>The mirror came back this morning after the disk in the storage server was replaced by the host.</p>
      <p>Syncing from the primary takes about six hours, so expect stale files until the evening run.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("The mirror came back this morning"), result)
    XCTAssertTrue(result.contains("Syncing from the primary"), result)
    for field in ["bob@example.net", "Wed, 4 Sep 2002", "mirrors list"] {
      XCTAssertFalse(result.contains(field), "\(field) kept in:\n\(result)")
    }
  }

  func testAListExplainingHeaderFieldsIsContent() throws {
    // The same field names, but no address among them: an article about mail, not an envelope.
    let page = """
      <html><body><article><h1>How a mail message is put together</h1>
      <p>Every message starts with header fields that say who sent it and who should receive it.</p>
      <ul><li>From: the author of the message</li><li>To: the primary recipients</li>
      <li>Subject: a short summary of the topic</li><li>Date: when the message was written</li></ul>
      <p>A blank line separates these fields from the body of the message, which follows them.</p>
      </article></body></html>
      """
    let result = try extractedText(page)
    for line in ["From: the author of the message", "Subject: a short summary", "Date: when the message"] {
      XCTAssertTrue(result.contains(line), "\(line) missing from:\n\(result)")
    }
  }
}

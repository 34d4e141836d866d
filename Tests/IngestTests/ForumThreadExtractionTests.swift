import XCTest

@testable import Ingest

/// Main-content extraction on forum topics: several posts, each in an element whose class calls
/// it a comment, with short lines (greetings, commands, signatures) between their paragraphs.
final class ForumThreadExtractionTests: XCTestCase {
  /// `count` paragraphs, the n-th saying `sentence(n)`.
  private static func paragraphs(_ count: Int, _ sentence: (Int) -> String) -> String {
    (1...count).map { "<p>\(sentence($0))</p>" }.joined()
  }

  private static func post(_ author: String, _ body: String) -> String {
    """
    <div class="comments_list__comment"><div class="comment__img">\(author.prefix(1))</div>
    <div class="comment__info"><a href="/user/\(author)/">\(author)</a><ul><li>31 Aug '02</li></ul></div>
    <div class="comment__text">\(body)</div>
    <div class="comment__footer"><ul class="comment__actions"><li><a href="#">share</a></li></ul>
    <ul><li><a href="https://twitter.com/share">Twitter</a></li><li><a href="mailto:?body=x">Email</a></li></ul></div>
    </div>
    """
  }

  func testPostsCalledCommentsAreTheTopicsText() throws {
    let page = """
      <html><body><header><a href="/">Forum</a> <a href="/login/">Log in</a></header>
      <ul class="breadcrumb_nav"><li><a href="/">Main</a></li><li><a href="/c/9/">builds</a></li></ul>
      <h1 class="headline">The nightly build fails on the new compiler</h1>
      <div class="comments_list">
      \(Self.post("ada", "<p>The nightly build stops in the linker step with an undefined symbol from the runtime library.</p><p>Has anyone seen this on the new compiler?</p>"))
      \(Self.post("bob", "<p>Yes, the same here since Monday, on every machine with the new compiler installed.</p>"))
      \(Self.post("eve", "<p>Pinning the old runtime in the build script works around it until the packages are fixed.</p>"))
      </div></body></html>
      """
    // The posts' controls stay out: share menus are furniture with no prose.
    try assertExtracts(
      page, keeps: ["stops in the linker step", "the same here since Monday", "Pinning the old runtime"],
      drops: ["Twitter", "Log in"])
  }

  func testAnArticlesCommentsStayOut() throws {
    let page = """
      <html><body><article><h1>Bridge reopens after two years of repairs</h1>
      <p>The old river bridge reopened to traffic on Monday morning after two years of repairs to its piers.</p>
      <p>The city council said the work came in under budget, and cyclists get a lane of their own.</p>
      <p>Buses return to the bridge next week, once the new timetable has been published.</p></article>
      <div class="comments">\(Self.post("ada", "<p>Finally, the detour through the industrial estate was a nightmare.</p>"))</div>
      </body></html>
      """
    try assertExtracts(page, keeps: ["reopened to traffic"], drops: ["detour"])
  }

  func testAPostOfShortLinesIsKeptBetweenItsParagraphs() throws {
    // The short lines outweigh the second paragraph, so the best element by score alone was
    // the first paragraph.
    let page = """
      <html><body><div class="x"><p>Hello!</p><p>I have</p>
      <p>Requires: saxon &gt;= 6.5.1<br>Conflicts: saxon &gt;= 7</p>
      <p>in my spec file. But apparently rpm ignores all version numbers. So,</p>
      <p>Requires: saxon &gt;= 6.5.1</p><p>Conflicts: saxon &gt;= 7</p><p>Obsoletes: saxon &lt; 6</p>
      <p>wouldn't install even with saxon-6.5.2. What could be the reason for this?</p>
      <p>Cheers,<br>Torsten.</p></div></body></html>
      """
    try assertExtracts(page, keeps: ["in my spec file", "Conflicts: saxon >= 7", "What could be the reason"])
  }

  func testTheOtherPostsStayWhenOnePostHoldsMostOfTheProse() throws {
    // The long answer is kept for holding most of the prose; the question and the thanks are
    // parts of the same list of comments.
    let answer = Self.paragraphs(6) {
      "Step \($0): rebuild the runtime package from its source with the new flags set."
    }
    let page = """
      <html><body><h1 class="headline">The nightly build fails on the new compiler</h1>
      <div class="comments_list">
      \(Self.post("ada", "<p>The nightly build stops in the linker step with an undefined symbol from the runtime.</p>"))
      \(Self.post("bob", answer))
      \(Self.post("ada", "<p>Thank you, that fixed it on every machine we have in the build farm.</p>"))
      </div></body></html>
      """
    try assertExtracts(page, keeps: ["stops in the linker step", "Step 6: rebuild", "that fixed it"])
  }

  func testALayoutNamedForItsSidebarKeepsTheSidebarOut() throws {
    let article = Self.paragraphs(5) {
      "Paragraph \($0) of the report on the river bridge and its two years of repairs."
    }
    let page = """
      <html><body><div class="layout has-sidebar"><article>\(article)</article>
      <div class="sidebar"><p>Subscribe to our weekly newsletter for more stories like this one.</p></div>
      </div></body></html>
      """
    try assertExtracts(page, keeps: ["Paragraph 5 of the report"], drops: ["weekly newsletter"])
  }

  func testAnH1AfterTheTextHasBegunIsAHeadingOfTheText() throws {
    // The page's title leads; a Markdown heading inside a post (mail text underlined with
    // "===") comes after text.
    let page = """
      <html><body><div class="topic"><h1>Upgrading the build farm</h1>
      <p>We moved the build farm to the new compiler over the weekend without much trouble.</p>
      <h1>What broke after the upgrade</h1>
      <p>Only the runtime library needed a rebuild, and the nightly builds are green again.</p></div></body></html>
      """
    try assertExtracts(
      page, keeps: ["What broke after the upgrade", "nightly builds are green"], drops: ["Upgrading the build farm"])
  }

  func testPostsOfShortLinesAreKeptWithTheThread() throws {
    // The first post is mostly a pasted log (short lines); the answer is one long paragraph and
    // scored above it. Both are posts of one run (same tag and class).
    let log = (1...12).map { "Err http://mirror.example.org/pkglist.\($0)<br>" }.joined()
    func post(_ body: String) -> String {
      "<div class=\"card post\"><h4>Re: apt update fails</h4><p><small>By: ada on Sept. 2, 2002</small></p>"
        + "<div class=\"post-content\">\(body)</div></div>"
    }
    let page = """
      <html><body><div class="col-12">
      \(post("<p>I always seem to get errors when I run apt update, is this a problem on the mirror?</p><p>\(log)</p><p>Thanks, Ada</p>"))
      \(post("<p>The mirror was rebuilding its package lists that night and answered with bad headers for an hour or so; it has been fine since the morning, so run the update again.</p>"))
      </div></body></html>
      """
    try assertExtracts(
      page,
      keeps: [
        "is this a problem on the mirror", "Err http://mirror.example.org/pkglist.12", "rebuilding its package lists",
      ])
  }
}

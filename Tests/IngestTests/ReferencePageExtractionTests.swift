import XCTest

@testable import Ingest

/// Main-content extraction on pages that are not articles: reference pages made of short items,
/// index pages whose content is a list of links, data tables, manuals' section headings.
final class ReferencePageExtractionTests: XCTestCase {
  private static let navigation = """
    <nav><ul><li><a href="/">Overview</a></li><li><a href="/p">Package</a></li><li><a href="/i">Index</a></li>
    </ul></nav><div class="sidebar"><p>Search the documentation of every release of this library in one place today.
    </p></div>
    """

  func testShortItemsOfAReferencePageInsideMainAreKept() throws {
    let page = """
      <html><body>\(Self.navigation)<main>
      <div class="header"><div>Package <a href="p.html">org.example.text</a></div></div>
      <section><dl><dt>Type Parameters:</dt><dd><code>R</code> - the result type.</dd></dl>
      <div class="block">Splits a string into words and joins them again with single spaces between them.
      </div>
      <dl><dt>Since:</dt><dd>3.5</dd></dl></section>
      <section><h2>Method Summary</h2><table><tr><td>normalize(String text)</td>
      <td>Returns the text normalised.</td></tr></table></section>
      </main><footer><p>Copyright 2001-2025 The Example Foundation. All rights reserved worldwide.</p></footer>
      </body></html>
      """
    let result = try extractedText(page)
    let items = [
      "Type Parameters:", "R - the result type.", "Since:", "3.5", "Method Summary", "normalize(String text)",
    ]
    for line in items {
      XCTAssertTrue(result.contains(line), "\(line) missing from:\n\(result)")
    }
    XCTAssertTrue(result.contains("Splits a string into words"))
    for furniture in ["Overview", "Search the documentation", "Copyright"] {
      XCTAssertFalse(result.contains(furniture), "\(furniture) kept in:\n\(result)")
    }
  }

  func testAnIndexPageKeepsItsListOfLinks() throws {
    let names = (1...30).map { "hash_table_function_\($0)" }
    let items = names.map { "<li><a href=\"f.html#\($0)\">\($0)()</a>, <a href=\"h.html\">hash.h</a></li>" }.joined()
    let page = """
      <html><body>\(Self.navigation)<div class="contents"><h3>- h -</h3><ul>\(items)</ul></div></body></html>
      """
    let result = try extractedText(page)
    for name in names { XCTAssertTrue(result.contains(name + "(), hash.h"), "\(name) missing from:\n\(result)") }
    XCTAssertFalse(result.contains("Overview"), result)
    XCTAssertFalse(result.contains("Search the documentation"), result)
  }

  func testATableOfContentsKeepsTheLinkedTitlesSetApartByClass() throws {
    let entries = (1...12).map { ("Interface \($0)", "Base type for interface number \($0)") }
    let items = entries.map {
      "<dt><span class=\"refentrytitle\"><a href=\"i.html\">\($0.0)</a></span>"
        + "<span class=\"refpurpose\"> — \($0.1)</span></dt>"
    }.joined()
    let page = """
      <html><body>\(Self.navigation)<div class="chapter"><h2>High-level Support</h2><dl class="toc">\(items)</dl>
      </div></body></html>
      """
    let result = try extractedText(page)
    // The spans are blocks of their own (their classes set them apart), so each on its line.
    for entry in entries {
      XCTAssertTrue(result.contains("\(entry.0)\n— \(entry.1)"), "\(entry.0) missing from:\n\(result)")
    }
  }

  func testAListPageInsideMainIsTakenWhole() throws {
    // A "uses of" page: a first table of packages in <main>, then a section whose table of link
    // cells scores best as a list on its own; the page's one main holds all its prose.
    let rows = (1...8).map {
      "<tr><td><code>static <a href=\"t.html\">Builder</a></code></td><td><a href=\"u.html#m\($0)\">method\($0)(int n)</a></td>"
        + "<td><a href=\"d.html\">Returns</a> a builder</td></tr>"
    }.joined()
    let page = """
      <html><body><nav><a href="/">Overview</a> <a href="/i">Index</a></nav>
      <main role="main"><h1>Uses of Class org.example.Builder</h1>
      <div><span>Packages that use <a href="b.html">Builder</a></span></div>
      <table><tr><td><a href="#p">org.example.text</a></td><td>Classes that <a href="w.html">work</a> with text.</td></tr></table>
      <section><h2>Uses of <a href="b.html">Builder</a> in <a href="p.html">org.example.text</a></h2>
      <table>\(rows)</table></section></main></body></html>
      """
    let result = try extractedText(page)
    for line in ["Classes that work with text.", "Uses of Builder in org.example.text", "method8(int n)"] {
      XCTAssertTrue(result.contains(line), "\(line) missing from:\n\(result)")
    }
    XCTAssertFalse(result.contains("Overview"), result)
  }

  func testHighlightedCodeKeepsItsCommentsAndNames() throws {
    // A highlighter's classes inside <pre> name tokens, not page furniture.
    let page = """
      <html><body>\(Self.navigation)<article><p>Logging is done with the console object, which every runtime
      provides to scripts.</p><p>The example below prints one line to the standard output of the process.</p>
      <pre><code><span class="hljs-comment">// the deprecated way, kept for old callers</span>
      console.<span class="hljs-title function_">log</span>(<span class="hljs-string">'hello world'</span>);
      </code></pre></article></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("// the deprecated way, kept for old callers"), result)
    XCTAssertTrue(result.contains("console.log('hello world');"), result)
  }

  func testNamedAnchorsAreTextAndScriptControlsAreNot() throws {
    let page = """
      <html><body>\(Self.navigation)<div><h2><a name="syntax">Syntax</a></h2>
      <pre>Typedef <a href="t.html">StyleItem</a> * <a name="StyleItemPtr">StyleItemPtr</a></pre>
      <h2><a name="description">Description</a></h2>
      <p>Points to a style item of the stylesheet, which the transformation reads once per node it visits.</p>
      <ul><li><a data-href="#" class="network-btn">Pinterest</a></li><li><a data-href="#">Mastodon</a></li></ul>
      </div></body></html>
      """
    let result = try extractedText(page)
    for line in ["Syntax", "Typedef StyleItem * StyleItemPtr", "Description", "Points to a style item"] {
      XCTAssertTrue(result.contains(line), "\(line) missing from:\n\(result)")
    }
    XCTAssertFalse(result.contains("Pinterest"), result)
  }

  func testAnArticleIsNotTakenForAListPage() throws {
    let prose = (1...6).map { "This is sentence \($0) of the article, long enough to be read as prose by anyone." }
    let page = """
      <html><body><div class="links"><ul><li><a href="/a">Home</a></li><li><a href="/b">World news</a></li>
      <li><a href="/c">Business</a></li></ul></div>
      <article>\(prose.map { "<p>\($0)</p>" }.joined())</article></body></html>
      """
    let result = try extractedText(page)
    XCTAssertEqual(result, prose.joined(separator: "\n"))
  }

  func testDataTableRowsKeepTheirLinkCells() throws {
    let page = """
      <html><body><div class="chapter">
      <p>The following packages convert text data between the character sets in use today.</p>
      <table><tr><th>package</th><th>keyword</th><th>description</th></tr>
      <tr><td><a href="https://packages.debian.org/libc6">libc6</a></td><td>charset</td>
      <td>text encoding converter between locales</td></tr>
      <tr><td><a href="https://packages.debian.org/recode">recode</a></td><td>charset+eol</td>
      <td>text encoding converter between locales, versatile</td></tr>
      </table><p>Each of them reads a file and writes it again in the encoding it was asked for.</p></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("libc6\tcharset\ttext encoding converter between locales"), result)
    XCTAssertTrue(result.contains("recode\tcharset+eol\t"), result)
  }

  func testADataRowIsOneLineWhateverItsCellsHold() throws {
    // A cell's `<br>` and `<p>` lines are spaced, its cells tab-separated: one row, one line.
    let page = """
      <html><body><div class="content"><h2>Examinations 2016</h2>
      <p>The club holds two examinations a year, each on a Saturday morning at the training ground.</p>
      <table><tr><td><p><strong>Autumn examination</strong></p></td><td><p>3 December 2016</p></td></tr>
      <tr><td><strong>Judge:</strong></td><td><p>Klaus Berger, SV<br>IP 1-3</p><p>FH1,2</p></td></tr>
      <tr><td><strong>Entries:</strong></td><td>Frank Keller<br>Lindenstrasse 18<br>06268 Querfurt</td></tr>
      </table></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("\nAutumn examination\t3 December 2016\n"), result)
    XCTAssertTrue(result.contains("\nJudge:\tKlaus Berger, SV IP 1-3 FH1,2\n"), result)
    XCTAssertTrue(result.hasSuffix("\nEntries:\tFrank Keller Lindenstrasse 18 06268 Querfurt"), result)
  }

  func testARowOfOneCellIsNoDataRow() throws {
    // A manual's boxed tip: a table of one cell holding a paragraph and a command.
    let page = """
      <html><body><div class="section"><h2>Debugging</h2>
      <p>A backtrace shows where the program was when it stopped, one frame for each function called.</p>
      <table border="0" summary="Tip"><tr><td><p>The first lines of a backtrace are often inside malloc, which
      says little about the program itself; set the environment variable first:</p>
      <pre class="screen"> $ MALLOC_CHECK_=2 gdb hello</pre></td></tr></table></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.hasSuffix("set the environment variable first:\n $ MALLOC_CHECK_=2 gdb hello"), result)
  }

  func testALinkShowingItsAddressIsText() throws {
    let page = """
      <html><body><div class="manual"><h2>REPORTING BUGS</h2>
      <p>The program reads standard input when no file is named and writes its result once it has read all.</p>
      <p>Online help: <a href="https://www.gnu.org/software/coreutils/">https://www.gnu.org/software/coreutils/</a></p>
      <p>Report translation bugs to <a href="https://translationproject.org/">https://translationproject.org/</a></p>
      <p>Each of the options below may be given once; the last one given wins when two disagree.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("Online help: https://www.gnu.org/software/coreutils/\n"), result)
    XCTAssertTrue(result.contains("Report translation bugs to https://translationproject.org/"), result)
  }

  func testATableOfLinkCellsInsideTheContentIsKept() throws {
    let rows = [("Uint32", "timestamp"), ("Uint8", "button"), ("Uint8", "state")]
      .map { "<tr><td><a href=\"t.html\">\($0.0)</a></td><td><a href=\"#m\">\($0.1)</a></td></tr>" }.joined()
    let page = """
      <html><body><div class="contents"><p>The joystick button event structure, filled in when a button is pressed.</p>
      <table><tr><td colspan="2"><h2>Data Fields</h2></td></tr>\(rows)</table>
      <p>The state field holds whether the button was pressed or released at the time of the event.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("Uint32\ttimestamp\nUint8\tbutton\nUint8\tstate"), result)
  }

  func testLinksToThePageItselfAreText() throws {
    // Member entries whose headings are permalinks to themselves, each with a short description:
    // not teaser cards (those link to other pages).
    let members = (1...4).map { index in
      "<details open><summary><h4><a href=\"#method.\(index)\">pub fn method_\(index)(self) -> u32</a></h4></summary>"
        + "<div><p>Returns the number of the \(index) leading bits of the value, counted from the top.</p>"
        + "<h5><a href=\"#safety-\(index)\">Safety</a></h5><p>The value must not be zero at all.</p></div></details>"
    }.joined()
    let page = "<html><body><div class=\"impl-items\">\(members)</div></body></html>"
    let result = try extractedText(page)
    for index in 1...4 {
      let entry = "pub fn method_\(index)(self) -> u32\nReturns the number of the \(index) leading"
      XCTAssertTrue(result.contains(entry), result)
    }
  }

  func testSignatureHeadingsNamingSeveralTypesAreText() throws {
    let types = ["i8", "i16", "i32", "i64", "i128", "isize"]
    let impls = types.map {
      "<section><h3>impl <a href=\"trait.Sum.html\">Sum</a>&lt;<a href=\"primitive.\($0).html\">\($0)</a>&gt;"
        + " for <a href=\"primitive.\($0).html\">\($0)</a></h3></section>"
    }.joined()
    let page = """
      <html><body><div class="content"><p>Trait to represent types that can be created by summing up an iterator.</p>
      <h2>Implementors</h2><div>\(impls)</div></div></body></html>
      """
    let result = try extractedText(page)
    for type in types {
      XCTAssertTrue(result.contains("impl Sum<\(type)> for \(type)"), "\(type) missing from:\n\(result)")
    }
  }

  func testSectionHeadingsWhoseClassSaysTitleAreKept() throws {
    let page = """
      <html><body><div class="chapter"><h2 class="title">7.1. Desktop environments</h2>
      <p>Several full-featured graphical desktop environments are available on a Debian system today.</p>
      <h2 class="title">7.2. Communication protocols</h2>
      <p>The desktop environment uses several protocols to talk to the programs that run inside it.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.hasPrefix("7.1. Desktop environments\n"), result)
    XCTAssertTrue(result.contains("\n7.2. Communication protocols\n"), result)
  }

  func testSignatureHeadingsWhosePartsSayTitleAreKept() throws {
    // A module's reference page (Erlang's manuals): each exported function's signature is a
    // heading whose text sits in a part classed as its title.
    let functions = (1...6).map {
      "<article class=\"func\"><h4 class=\"title-link\"><span class=\"title-name\">set_size_\($0)(Caret, Width, "
        + "Height) -&gt; ok</span></h4><div class=\"body\"><p>Sets the size of the caret number \($0) in pixels, "
        + "keeping its place.</p></div></article>"
    }.joined()
    let page = """
      <html><body><aside><ul><li><a href="/">Overview</a></li></ul></aside><div id="content">
      <div class="tube"><h3 class="title-link"><div class="title-name">Description</div></h3>
      <div class="body"><p>A caret is a blinking cursor that shows where the typed text will appear in a window.</p>
      </div></div><div class="tube"><h3 class="title-link"><div class="title-name">Exports</div></h3></div>
      <div class="exports">\(functions)</div></div></body></html>
      """
    let result = try extractedText(page)
    for number in 1...6 {
      XCTAssertTrue(
        result.contains("set_size_\(number)(Caret, Width, Height) -> ok\nSets the size of the caret number \(number)"),
        "signature \(number) missing from:\n\(result)")
    }
    XCTAssertTrue(result.contains("\nExports\n"), result)
    XCTAssertFalse(result.contains("Overview"), result)
  }

  func testMembersUnderOneWordLinkedNamesAreNotTeasers() throws {
    // A class's page (gi-docgen): each method a linked name over a one-line summary. A teaser's
    // headline is a phrase; a member's name is one word.
    let methods = (1...8).map {
      "<div class=\"\"><h6><a href=\"method.Group.op\($0).html\">example_group_operation_\($0)</a></h6>"
        + "<div class=\"docblock\"><p>Runs operation number \($0) on the group and its rows.</p></div></div>"
    }.joined()
    let page = """
      <html><body><nav><a href="/">Home</a> <a href="/x">Index</a></nav><section id="main"><h1>ExampleGroup</h1>
      <div class="docblock"><p>A group of preference rows that belong together, shown with a title above them.</p>
      <p>The title is used by the window to let the user look for a preference in the group.</p></div>
      <h4>Instance methods</h4><div class="docblock">\(methods)</div></section></body></html>
      """
    let result = try extractedText(page)
    for number in 1...8 {
      XCTAssertTrue(
        result.contains("Runs operation number \(number) on the group"), "\(number) missing from:\n\(result)")
    }
    XCTAssertTrue(result.hasPrefix("A group of preference rows"), result)
  }

  func testAListPageTakesTheProseBesideItsList() throws {
    // A module's page (Haddock): a table of instances, all links, outweighs the class's one
    // sentence beside it, and the page reads as a list page; the list comes with that sentence.
    let instances = (1...20).map {
      "<tr><td><a href=\"T.html\">Handleable</a> <a href=\"E\($0).html\">SomeException\($0)</a> <a href=\"IO.html\">"
        + "IO</a> <a href=\"H.html\">Handler</a></td><td><a href=\"src.html#\($0)\">Source</a></td></tr>"
    }.joined()
    let methods = (1...8).map {
      "<p class=\"src\"><a class=\"def\">handler\($0)</a> :: <a href=\"T.html\">Typeable</a> a =&gt; "
        + "<a href=\"G.html\">Getting</a> (<a href=\"F.html\">First</a> a) e a -&gt; <a href=\"H.html\">Handler</a> r</p>"
    }.joined()
    let page = """
      <html><body><div id="package-header"><ul><li><a href="index.html">Contents</a></li></ul></div>
      <div id="content"><div id="description"><p>This module builds a handler for exceptions from a fold.</p></div>
      <div id="interface"><div class="top"><p class="src">class <a href="#t:Handleable">Handleable</a> e m h where</p>
      <div class="doc"><p>Both exception libraries provide a handler type, and this class lets the combinators build
      either.</p></div><div class="subs methods"><p class="caption">Methods</p>\(methods)</div>
      <div class="subs instances"><details open><summary>Instances</summary><table>\(instances)</table></details></div>
      </div></div></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("Both exception libraries provide a handler type"), result)
    for number in [1, 20] {
      XCTAssertTrue(
        result.contains("Handleable SomeException\(number) IO Handler"), "\(number) missing from:\n\(result)")
    }
  }

  func testACodeListingSetAsATableKeepsItsLinkHeavyLines() throws {
    // A manual's example (Scribble): one table row a line, each name a link to its definition.
    // "(send dc erase)" is mostly link text; the listing's other lines are not.
    let page = """
      <html><body><div class="main"><p>Drawing a face takes a pen, a brush and a few calls on the drawing context.</p>
      <blockquote class="SCodeFlow"><table>
      <tr><td>(<a href="define.html">define</a> radius 20)</td></tr>
      <tr><td>(<a href="define.html">define</a> width (* 4 radius))</td></tr>
      <tr><td>(<a href="send.html">send</a> dc <a href="m.html#erase">erase</a>)</td></tr>
      <tr><td>(<a href="send.html">send</a> dc <a href="m.html#brush">set-brush</a> "black" 'solid)</td></tr>
      </table></blockquote>
      <p>The pen outlines each shape and the brush fills it; without a pen a shape has no outline.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("(define width (* 4 radius))\n(send dc erase)\n(send dc set-brush"), result)
  }

  func testPartsOfADefinitionEntryWhoseClassSaysTagAreKept() throws {
    // SWI-Prolog's manual: a predicate's determinism and its "deprecated" note are classed
    // `pred-tag` and `tags`, words that elsewhere mark a blog post's list of tags; its name is
    // an anchor others link to by its `id`.
    let page = """
      <html><body><div class="navigate"><a href="index.html">Home</a> <a href="next.html">Next</a></div>
      <h2>library(tables): XSB interface to tables</h2>
      <p>This module provides an XSB compatible library to access tables as created by tabling, for programs
      written for XSB.</p>
      <dl class="latex"><dt class="pubdef"><span class="pred-tag">[semidet]</span><a id="get_call/3">
      <strong>get_call</strong>(<var>:CallTerm, -Trie, -Return</var>)</a></dt>
      <dd class="defbody">True when Trie is an answer trie for a variant of CallTerm, with its answers in Return.
      <dl class="tags"><dt class="tag">deprecated</dt><dd>Use the tabling library's own predicates.</dd></dl></dd>
      <dt class="pubdef"><a id="tnot/1"><strong>tnot</strong>(<var>:Goal</var>)</a></dt>
      <dd class="defbody">Tabled negation, which succeeds when Goal has no answers in its table at all.</dd></dl>
      </body></html>
      """
    let result = try extractedText(page)
    let parts = [
      "[semidet] get_call(:CallTerm, -Trie, -Return)", "tnot(:Goal)", "deprecated",
      "Use the tabling library's own predicates.",
    ]
    for part in parts {
      XCTAssertTrue(result.contains(part), "\(part) missing from:\n\(result)")
    }
  }

  func testAShortEntryBesideALongTableOfContentsIsTheContentItsClassNames() throws {
    // Scribble: the manual's table of contents, numbered rows of links, outweighs a short
    // bibliography page, which sits in `<div class="maincolumn"><div class="main">`.
    let chapters = [
      "Convertible", "gzip Compression", "gzip Decompression", "zip File Creation", "zip File Extraction",
      "tar File Creation", "tar File Extraction", "MD5 Message Digest", "SHA1 Message Digest", "GIF File Writing",
      "ICO File Reading and Writing", "Windows Registry", "Caching", "Globbing",
    ].enumerated().map { "<tr><td>\($0.offset + 1)</td><td><a href=\"c\($0.offset).html\">\($0.element)</a></td></tr>" }
    let page = """
      <html><body><div class="tocset"><div class="tocview"><table>\(chapters.joined())</table></div></div>
      <div class="maincolumn"><div class="main"><h2>Bibliography</h2><table>
      <tr><td>[Gervautz1990]</td><td>M. Gervautz and W. Purgathofer, "A simple method for color quantization:
      Octree quantization," Graphics Gems, 1990.</td></tr>
      <tr><td>[Clark1996]</td><td>Dean Clark, "Color Quantization using Octrees," Dr. Dobbs Journal, January 1,
      1996.</td></tr></table></div></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("[Clark1996]\tDean Clark"), result)
    XCTAssertFalse(result.contains("Windows Registry"), result)
  }

  func testAnItemsLinkedNameStaysWithItsText() throws {
    // gtk-doc's chapter pages: each entry a linked name and its purpose, in spans of their own.
    let page = """
      <html><body><div class="chapter"><h2>Asynchronous I/O</h2>
      <p>The functions of this chapter run input and output on a worker thread and call back when they are done,
      so that a program's main loop never waits on a disk or a socket.</p>
      <dl class="toc"><dt><span class="refentrytitle"><a href="GCancellable.html">GCancellable</a></span> —
      <span class="refpurpose">Thread-safe Operation Cancellation Stack</span></dt>
      <dt><span class="refentrytitle"><a href="GTask.html">GTask</a></span> —
      <span class="refpurpose">Cancellable synchronous or asynchronous task and result</span></dt></dl>
      <p>Each of them takes a cancellable object and a callback, and reports its errors through the result it
      hands to the callback.</p></div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("GCancellable\n— Thread-safe Operation Cancellation Stack\nGTask\n"), result)
  }

  func testACodeListingWhoseNamesAreLinksIsKept() throws {
    // BoostBook's synopsis: the header's path and every name in the declaration are links.
    let page = """
      <html><body><div class="refentry"><h2>Global matched</h2>
      <p>boost::xpressive::matched — a lazy function object for reading the matched member of a sub_match in a
      semantic action.</p><h2>Synopsis</h2>
      <pre class="synopsis"><span class="comment">// In header: &lt;<a href="h/regex_actions_hpp.html">\
      boost/xpressive/regex_actions.hpp</a>&gt;
      </span><a href="function.html">function</a>&lt; <a href="op.html">op::matched</a> &gt;::<a href="type.html">\
      type</a> const matched;</pre>
      <p>It returns whether the sub-match took part in the match, as the member of the same name does.</p>
      </div></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("// In header: <boost/xpressive/regex_actions.hpp>"), result)
    XCTAssertTrue(result.contains("function< op::matched >::type const matched;"), result)
  }

  func testAFooterOpeningWithACopyrightNoticeStaysAFooterUnderAShortEntry() throws {
    // BoostBook: a one-sentence entry says less than the copyright and licence under it.
    let page = """
      <html><body><table width="100%"><tr><td><a href="index.html">Home</a></td><td><a href="libs.html">Libraries\
      </a></td></tr></table><div class="refentry"><h2>Macro BOOST_FWD_REF</h2><p>BOOST_FWD_REF</p><h2>Synopsis</h2>
      <pre class="synopsis">// In header: &lt;boost/move/core.hpp&gt;
      BOOST_FWD_REF(TYPE)</pre>
      <h2>Description</h2><p>This macro is used to implement portable perfect forwarding.</p></div>
      <table width="100%"><tr><td></td><td><div class="copyright-footer">Copyright © 2008-2014 Ion Gaztanaga<p>
      Distributed under the Boost Software License, Version 1.0. (See accompanying file LICENSE_1_0.txt or copy at
      http://www.boost.org/LICENSE_1_0.txt)</p></div></td></tr></table></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("This macro is used to implement portable perfect forwarding."), result)
    XCTAssertFalse(result.contains("Copyright"), result)
    XCTAssertFalse(result.contains("Boost Software License"), result)
  }

  func testAHeadingPartlyLinkedIsNotATeasersHeadline() throws {
    // rustdoc's implementors: each impl's associated type, "type Error = TryFromIntError", names
    // one linked type; a run of them is not a run of teaser cards for other pages.
    let implementors = [("char", "TryFromCharError"), ("i8", "TryFromIntError")].map {
      "<details><summary><section><h3>impl <a href=\"t.html\">TryFrom</a>&lt;<a href=\"\($0.0).html\">\($0.0)</a>&gt; for "
        + "<a href=\"u.html\">u8</a></h3></section></summary><div class=\"impl-items\"><section><h4>type "
        + "<a href=\"#associatedtype.Error\">Error</a> = <a href=\"\($0.1).html\">\($0.1)</a></h4></section></div></details>"
    }
    let page = """
      <html><body><main><h2>Implementors</h2><p>Each type below converts from another and reports a failure when the
      value does not fit.</p><div class="item-list">\(implementors.joined())</div></main></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("impl TryFrom<char> for u8\nimpl TryFrom<i8> for u8"), result)
  }

  func testAMemberNamedByALinkedHeadingIsKeptWithItsSummary() throws {
    // gi-docgen's member lists: each member's name is a heading that links to its page, over a
    // one-line summary; the name is the entry's, not a link away from the page.
    let page = """
      <html><body><nav class="sidebar"><a href="index.html">Adw</a> <a href="classes.html">Classes</a></nav>
      <section id="main" class="content"><h1>PreferencesGroup</h1>
      <p>A group of preference rows, which in turn are represented by the rows of a preferences page.</p>
      <h4>Instance methods</h4>
      <div class="docblock"><div><h6><a href="method.add.html">adw_preferences_group_add</a></h6><div><p>Adds a child to the group.</p></div><div><p>since: 1.0</p></div></div>
      <div><h6><a href="method.get_title.html">adw_preferences_group_get_title</a></h6><div><p>Gets the title of the group.</p></div><div><p>since: 1.0</p></div></div>
      <div><h6><a href="method.set_title.html">adw_preferences_group_set_title</a></h6><div><p>Sets the title of the group.</p></div><div><p>since: 1.0</p></div></div>
      <div><h6><a href="method.remove.html">adw_preferences_group_remove</a></h6><div><p>Removes a child from the group.</p></div><div><p>since: 1.0</p></div></div>
      </div></section></body></html>
      """
    let result = try extractedText(page)
    XCTAssertTrue(result.contains("adw_preferences_group_add\nAdds a child to the group."), result)
    XCTAssertTrue(result.contains("adw_preferences_group_remove\nRemoves a child from the group."), result)
    XCTAssertFalse(result.contains("Classes"), result)
  }
}

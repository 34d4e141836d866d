import XCTest

@testable import Reporting

final class HTMLTextTests: XCTestCase {
  func testMarkupCharactersBecomeReferencesAndTheRestIsKept() {
    XCTAssertEqual(HTMLText.escape("plain text, é 中"), "plain text, é 中")
    XCTAssertEqual(HTMLText.escape("a < b && \"c\" > d"), "a &lt; b &amp;&amp; &quot;c&quot; &gt; d")
    XCTAssertEqual(HTMLText.escape("<script>é</script>"), "&lt;script&gt;é&lt;/script&gt;")
  }

  func testATableEscapesEveryCellAndSaysWhenItIsEmpty() {
    XCTAssertEqual(
      HTMLText.table(["a&b"], [["<1>"]]),
      "<table><thead><tr><th>a&amp;b</th></tr></thead><tbody><tr><td>&lt;1&gt;</td></tr></tbody></table>")
    XCTAssertEqual(
      HTMLText.table(["x", "y"], []),
      "<table><thead><tr><th>x</th><th>y</th></tr></thead><tbody><tr><td colspan=\"2\">none</td></tr></tbody></table>")
  }
}

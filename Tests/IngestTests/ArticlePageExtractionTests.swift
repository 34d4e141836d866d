import XCTest

@testable import Ingest

/// Main-content extraction on news, blog and institutional pages whose markup misleads: article
/// wrappers named as furniture, datelines, soft hyphens, headings left over from the frame.
final class ArticlePageExtractionTests: XCTestCase {
  /// A page whose `<header>` is never closed: the parser puts the whole page inside it, article and all.
  func testAnUnclosedHeaderAroundThePageIsNotFurniture() throws {
    let page = """
      <html><body><header id="page-header"><div class="logo"><a href="/">Example News</a></div>
      <nav><a href="/politics">Politics</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
      <div class="grid"><article><h1>Council approves the new bridge</h1>
      <p>The city council approved the construction of a new bridge across the river on Tuesday evening, after a debate that lasted well into the night and drew a large crowd to the town hall.</p>
      <p>Work is expected to begin next spring and to last about two years, according to the planning office, which will publish the detailed timetable once the contracts have been signed.</p>
      <p>The bridge will carry two lanes for cars, a separate lane for buses and wide paths for cyclists and pedestrians on both sides, so that the old ferry can finally be retired.</p>
      <p>Residents of the eastern districts welcomed the decision, saying that the daily crossing had become slower and more expensive every year since the last bridge was closed for repairs.</p>
      <p>The opposition criticised the cost of the project and asked for an independent review of the budget before the first payments are made to the construction companies next year.</p>
      <p>Construction companies from three countries have already said that they would bid for the contract, which is the largest the city has awarded in two decades.</p>
      <p>The mayor promised that the public would be consulted again on the design of the bridge, its lighting and the park planned on the eastern bank of the river.</p>
      </article></div></body></html>
      """
    try assertExtracts(
      page,
      keeps: [
        "The city council approved the construction of a new bridge",
        "The mayor promised that the public would be consulted",
      ], drops: ["Politics", "Weather"])
  }

  /// A template that puts the article, title and all, in an `<aside>` inside `<main>`.
  func testAnAsideATemplatePutsTheArticleInIsNotFurniture() throws {
    let page = """
      <html><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/region">Region</a> <a href="/sport">Sport</a></nav>
      <main><aside class="pa direct-content"><section><header><h1>Writer wins the national book prize</h1></header>
      <article><p>For a novel of almost nine hundred pages the writer received the national book prize on Monday, the most important award of the publishing trade, which is given every autumn in the city.</p>
      <p>The jury praised the book as a bold and funny portrait of a whole generation, told through the memories of a man who spends one long summer in a small town near the border.</p>
      <p>The prize comes with twenty-five thousand euros; the five other writers on the shortlist each receive two and a half thousand euros and an invitation to read at the book fair.</p>
      <p>The publisher said that a second printing had been ordered the same evening, and that translations into several languages were already being prepared for next spring.</p>
      <p>Critics had called the novel too long and too loud when it appeared in the spring, but its sales grew steadily over the summer as readers recommended it to one another.</p>
      <p>The writer, who lives in a village near the coast, thanked the booksellers who had kept the book on their tables and said he would now finally take a holiday.</p>
      </article></section></aside></main>
      <footer><p>Copyright 2019 Example Newspaper Group. All rights reserved.</p></footer></body></html>
      """
    try assertExtracts(
      page, keeps: ["For a novel of almost nine hundred pages", "thanked the booksellers"],
      drops: ["Region", "All rights reserved"])
  }

  /// A footer holding more paragraphs than the article, but not its title, is the comments' footer it says it is.
  func testAFooterOfCommentsLongerThanTheArticleStaysFurniture() throws {
    let page = """
      <html><body><main><article><h1>Coach says the season is over</h1>
      <p>The coach said after the game that his team would probably not reach the play-offs this year after the defeat on Monday night.</p>
      <p>At four wins and seven losses the team would need to win every remaining game and still depend on the results of others.</p>
      <footer class="entry-footer"><h3>34 responses</h3>
      <p>It is a good thing this team has no fans left, because watching it every week has become a real test of patience for all of us.</p>
      <p>Time for everybody to come to terms with reality: it is over again, as it was over last year and the year before that, and nobody is surprised.</p>
      <p>As usual the defence played well for three quarters and then collapsed in the fourth, which is exactly what happened in every close game this year.</p>
      <p>The quarterback is not the problem. The problem is the line in front of him, which has not stopped anyone since the first week of the season.</p>
      <p>I will keep watching anyway, because that is what fans do, but I have stopped expecting anything from this team until the owner changes the front office.</p>
      <p>Maybe next year the draft will bring the players this team needs, but I have heard that every single year for a decade and I do not believe it any more.</p>
      <p>One more loss like this and the stadium will be half empty, which would finally send the message the owners need to hear about the way the club is run.</p>
      </footer></article></main></body></html>
      """
    try assertExtracts(
      page, keeps: ["his team would probably not reach the play-offs"],
      drops: ["34 responses", "no fans left", "the owners need to hear"])
  }

  /// Soft hyphens (U+00AD) mark where a word may break; they are not part of it.
  func testASoftHyphenIsNotText() throws {
    let page = """
      <html><body><article><p>Wäh&shy;rend der Sommer&shy;monate bleibt das Museum an allen Tagen der Woche bis zum späten Abend geöffnet, auch an Feiertagen.</p>
      <p>Der Eintritt ist für Kinder und Jugendliche frei, Erwachsene zahlen den üblichen Preis an der Kasse im Foyer.</p></article></body></html>
      """
    try assertExtracts(page, keeps: ["Während der Sommermonate bleibt das Museum"], drops: ["\u{AD}"])
  }

  /// A date and clock time between the headline and the text is the frame's, however many words it
  /// has.
  func testADatelineOverTheArticleIsLeftOut() throws {
    let page = """
      <html><body><article><h2>Flixbus attacks the railway</h2><p>15. Mai 2019, 05:28 Uhr</p>
      <p>Bahn-Konkurrenten wie Flixbus fürchten durch den geplanten Deutschlandtakt eine Benachteiligung im Fernverkehr, weil die Bahn bevorzugt werde.</p>
      <p>Das Unternehmen argumentiert, dass auch der Bus ein klimafreundliches Verkehrsmittel sei und deshalb gleich behandelt werden müsse.</p>
      </article></body></html>
      """
    try assertExtracts(
      page, keeps: ["Bahn-Konkurrenten wie Flixbus", "gleich behandelt werden müsse."],
      drops: ["05:28", "15. Mai 2019"])
    // Separators do not count as words: this line has 11 words and 4 bars.
    try assertExtracts(
      page.replacingOccurrences(
        of: "15. Mai 2019, 05:28 Uhr", with: "Freitag | 14. Juni 2019 | 15:49 VON Sina Giebel IN Fashion | 0 COMMENTS"),
      keeps: ["Bahn-Konkurrenten wie Flixbus"], drops: ["15:49", "Sina Giebel"])
  }

  /// A heading over links left out heads nothing; the source line before it stays.
  func testAHeadingAfterTheLastTextIsLeftOut() throws {
    let page = """
      <html><body><article><h1>The quiet province</h1>
      <p>Whoever wants to settle in the province because the meadows smell so sweet in spring should first ask themselves two questions about silence.</p>
      <p>After a year in the province I was exhausted when I walked through the centre of a big city and was asked three times whether I wanted anything else.</p>
      <p>From: The Province Book. A Land in Keywords, 2015</p>
      <h3>Keywords</h3><ul class="keywords"><li><a href="/k/province">Province</a></li><li><a href="/k/humour">Humour</a></li></ul>
      </article></body></html>
      """
    try assertExtracts(
      page,
      keeps: [
        "asked three times whether I wanted anything else.", "From: The Province Book. A Land in Keywords, 2015",
      ], drops: ["2015\nKeywords", "Humour"])
  }

  /// A short article titled by the page's one `<h1>` is no teaser card for holding a promotion's
  /// linked heading, beside a real teaser.
  func testAShortArticleHoldingAPromotionsLinkedHeadingIsNoTeaser() throws {
    let page = """
      <html><body><div id="contents">
      <div class="article"><h1>Leaders agree to a direct telephone line</h1>
      <p>The two leaders agreed on Tuesday to open a direct telephone line between their offices, the first such link in decades, officials said after the meeting ended.</p>
      <p>The rest of this article is for subscribers.</p>
      <div class="promo"><h4><a href="/pr/trend">Trend watch special edition</a></h4></div></div>
      <div class="box"><h3><a href="/a1">Another story about the summit</a></h3><p>What the meeting means for the region.</p></div>
      </div></body></html>
      """
    try assertExtracts(
      page, keeps: ["The two leaders agreed on Tuesday to open a direct telephone line"],
      drops: ["Trend watch special edition"])
  }

  func testAnArticleInALayoutTableKeepsItsLines() throws {
    // An old template sets the page in a table; the article's cell sits beside the menu's.
    let page = """
      <html><body><table><tr><td id="left"><ul><li><a href="/">Home</a></li><li><a href="/a">Arduino</a></li></ul>
      </td><td id="middle"><h1>A virtual wall for the robot vacuum</h1>
      <p>Some of our door sills are not fit for the robot: it drives over them one way and cannot come back.</p>
      <h4>Parts</h4><p>Virtual walls can be bought, but the parts for one were lying in my box of odds and ends.</p>
      <p>All in all the parts cost about five euros, and the wall took an evening to put together.</p>
      </td></tr></table></body></html>
      """
    let result = try extractedText(page)
    XCTAssertEqual(
      result,
      """
      Some of our door sills are not fit for the robot: it drives over them one way and cannot come back.
      Parts
      Virtual walls can be bought, but the parts for one were lying in my box of odds and ends.
      All in all the parts cost about five euros, and the wall took an evening to put together.
      """)
  }

  func testAParagraphWhoseFirstSentenceIsALinkIsProse() throws {
    let page = """
      <html><body><div class="post"><h1>Parking in Paris</h1>
      <p><a href="https://example.org/column">Lobo says one should blog more on one's own blog.</a> I will try it out and see whether it works.</p>
      <p>The French cliché has been confirmed to me in the last few weeks: the French speak only French.</p>
      <p>Now I have one more problem that I cannot solve, and I hope for your help with it, dear readers.</p>
      <p>Read more: <a href="/2012/05/hotels">The ten best hotels in the city centre</a></p>
      </div></body></html>
      """
    try assertExtracts(
      page,
      keeps: [
        "Lobo says one should blog more on one's own blog. I will try it out and see whether it works.\nThe French"
      ],
      drops: ["Read more", "ten best hotels"])
  }

  func testAFormIsFurnitureUnlessItWrapsThePage() throws {
    let article = """
      <h1>Zinfandel rosé</h1><p>The bouquet opens with ripe strawberries and a hint of melon over a fresh finish.</p>
      <p>It goes especially well with Asian dishes, with salads and with light pasta on a summer evening.</p>
      <p>The grapes grow on sandy soils in the warm valley, where the nights stay cool until late August.</p>
      <p>Serve it chilled at eight to ten degrees; once opened, the bottle keeps for two or three days.</p>
      """
    let review = """
      <form method="post" class="content--form review--form"><p>Please enter the digits in the field below.</p>
      <input type="text" name="captcha"><p>The fields marked with an asterisk are required to send a review.</p>
      <textarea name="review"></textarea><button>Send</button></form>
      """
    try assertExtracts(
      "<html><body><div class=\"product\">\(article)</div>\(review)</body></html>",
      keeps: ["The bouquet opens", "Asian dishes"], drops: ["digits in the field", "asterisk"])
    // ASP.NET puts the whole page in one form.
    try assertExtracts(
      "<html><body><form id=\"aspnetForm\"><div>\(article)</div></form></body></html>",
      keeps: ["The bouquet opens", "Asian dishes"])
  }

  func testARunOfCardsWithLongExcerptsIsNotTheArticle() throws {
    let sentence = "The new collection pairs linen with patchwork, and the shops cannot keep it on the shelves. "
    let excerpt = String(repeating: sentence, count: 6)
    let cards = (1...3).map {
      """
      <article class="card"><a href="/2016/\($0)/"><h2>Related story number \($0)</h2></a>
      <div>\(excerpt)</div><a href="/2016/\($0)/">Read on</a></article>
      """
    }.joined()
    let body = (1...20).map { "<p>Paragraph \($0) of the column: \(sentence)</p>" }.joined()
    let page = """
      <html><body><div class="page"><div class="column"><h1>Never without my shower head</h1>\(body)</div>
      <div class="more"><h3>Related posts</h3>\(cards)</div></div></body></html>
      """
    try assertExtracts(page, keeps: ["Paragraph 1 of the column", "Paragraph 20"], drops: ["Related", "Read on"])
    // A front page of short posts is its posts.
    let frontPage = "<html><body><div class=\"posts\"><h1>News</h1>\(cards)</div></body></html>"
    let post = excerpt.trimmingCharacters(in: .whitespaces)
    try assertExtracts(frontPage, keeps: [post + "\n" + post + "\n" + post])
  }

  func testHintsThatEraseThePageAreLiftedOneWordAtATime() throws {
    // Every section of the report says `--ads` (it holds an ad slot): that word is lifted, and
    // the author box, marked by another word, stays out.
    let sections = (1...4).map {
      """
      <section class="report__section report__section--ads"><h2>Part \($0)</h2>
      <p>Part \($0) of the test: the grill reaches eight hundred degrees in four minutes, and the steak is done soon after.</p>
      <p>Cleaning it afterwards takes longer than the cooking did, since the fat runs into the tray below the burner.</p>
      </section>
      """
    }.joined()
    let page = """
      <html><body><main><article class="report">\(sections)
      <div class="report__author-box"><p>Jane Doe is head of social media at the magazine and tests grills in her spare time.</p></div>
      </article></main></body></html>
      """
    try assertExtracts(page, keeps: ["Part 1 of the test", "Part 4 of the test"], drops: ["Jane Doe"])
  }

  func testAClosingCookieNoticeIsNotTheText() throws {
    let article = """
      <h1>Tax law for individuals</h1>
      <p>We advise private clients and their families on German and international tax law, around the clock.</p>
      <p>Whether you are an entrepreneur or a private person, you will find the right contact person here.</p>
      """
    let notice = """
      <div id="info"><p>What are cookies?</p><p>A cookie is a small text file that your browser stores when you
      visit a website, with your language and contact settings.</p><p>How can I switch cookies off?</p>
      <p>Most browsers accept cookies by default; their help pages say how to delete or refuse them.</p></div>
      """
    try assertExtracts(
      "<html><body><div class=\"content\">\(article)\(notice)</div></body></html>",
      keeps: ["We advise private clients", "the right contact person here."], drops: ["cookie", "What are"])
    // A recipe for cookies speaks of them throughout, to its last line.
    let recipe = """
      <html><body><div class="recipe"><h1>Almond cookies</h1>
      <p>These almond cookies need only five ingredients and half an hour, and they keep for weeks in a tin.</p>
      <p>Mix the butter, sugar and ground almonds, then add the egg and the flour until the dough is smooth.</p>
      <p>Bake the cookies for twelve minutes at 180 degrees, until their edges turn golden, and let them cool.</p>
      </div></body></html>
      """
    try assertExtracts(recipe, keeps: ["Bake the cookies for twelve minutes"])
  }

}

/// Distinct, well-formed sentences: `count` of them, one per line, each ending in a full stop.
func prose(_ count: Int, seed: Int = 0) -> String {
  let subjects = ["The river", "A small village", "Their old teacher", "The committee", "An early train", "The garden"]
  let verbs = ["carried", "welcomed", "described", "measured", "ignored", "repaired", "visited"]
  let objects = [
    "the heavy stones", "a curious stranger", "the long report", "every window of the house",
    "the northern road", "a quiet evening",
  ]
  let tails = [
    "and then left before dawn", "with the help of two friends", "to the surprise of everyone",
    "after a long and tiring week", "because nobody else would do it", "while the rain kept falling outside",
    "as the bells of the church rang", "before anyone could object to it", "in spite of the cold wind",
    "so that the children could play", "until the lamps were lit again", "without saying a single word",
  ]
  return (0..<count).map { index in
    let n = index + seed * 1000
    return "\(subjects[n % 6]) \(verbs[n % 7]) \(objects[n % 5]) \(tails[n % tails.count])."
  }.joined(separator: "\n")
}

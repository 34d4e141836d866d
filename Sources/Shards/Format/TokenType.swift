/// How a shard stores each token: two bytes while every id fits, else four; little-endian.
public enum TokenType: String, Sendable {
  case uint16
  case uint32

  public init(vocabularySize: Int) {
    self = vocabularySize <= 1 << 16 ? .uint16 : .uint32
  }

  public var width: Int { self == .uint16 ? 2 : 4 }
}

import CMemory

/// Gives the pages of freed heap memory back to the system. glibc keeps freed blocks for reuse,
/// and once a large block is freed it serves blocks of that size from the heap instead of from
/// their own mappings, so one step's buffers stay in the process's resident memory through the
/// next step of the same process. Called between steps that run in one process.
public enum FreedMemory {
  public static func giveBack() { _ = hatchery_give_back_freed_memory() }
}

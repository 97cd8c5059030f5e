/// Something a process keeps (its store connection) that can gather the writes of several
/// requests into one commit. A FastCGI responder with several requests ready answers them as a
/// group: it begins the group, runs each handler, commits the group, and only then sends the
/// answers, so every 2xx still means "stored" while a whole group shares one commit (and, with
/// full durability, one fsync).
public protocol GroupCommitting: AnyObject {
    /// From now on, the writes of each request join one transaction, each request's within its
    /// own savepoint, so a request that fails undoes only its own writes.
    func beginGroup()
    /// Commits what the group wrote. When this throws, none of it was kept.
    func commitGroup() throws
}

import Foundation

/// What the kernel says about a running process, read from /proc: its open descriptors, its
/// threads and its children (zombies included, until they are reaped).
struct ProcessProbe {
    let pid: Int32

    var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    var threads: Int { statusField("Threads") }

    /// Peak resident memory in kilobytes (VmHWM: the high-water mark of this process's own
    /// memory, new at exec, so not inherited from the test that started it).
    var peakResidentKilobytes: Int { statusField("VmHWM") }

    /// Resident memory now, in kilobytes.
    var currentResidentKilobytes: Int { statusField("VmRSS") }

    /// A number from /proc/<pid>/status (`Threads:\t7`, `VmRSS:\t  1234 kB`), or -1.
    private func statusField(_ name: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } ?? -1
    }

    var children: [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            let list = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            return list.split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// Children, their children, and so on.
    var descendants: [Int32] {
        children.flatMap { [$0] + ProcessProbe(pid: $0).descendants }
    }

    /// How many connections this process holds that it accepted on the Unix socket at `path`:
    /// an accepted socket carries its listener's path in /proc/net/unix, in state 03
    /// (connected); the listener itself is state 01, and a socket that connected out has no path.
    func acceptedConnections(on path: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(descriptors.compactMap { fd -> Substring? in
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? ""
            return link.hasPrefix("socket:[") ? link.dropFirst("socket:[".count).dropLast() : nil
        })
        let table = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").filter { line in
            let columns = line.split(separator: " ")
            return columns.count == 8 && columns[5] == "03" && columns[7] == path && inodes.contains(columns[6])
        }.count
    }

    /// Children that have exited and not been reaped.
    var zombieChildren: [Int32] {
        children.filter { Self.state(of: $0) == "Z" }
    }

    /// Children that still exist once all the lists are read. Each thread's list is read one
    /// after another, so a child reaped and its successor started in between can both be
    /// listed; asking again drops the first, whose /proc entry is gone once it is reaped.
    /// (A zombie still counts: the runtime gives a process's slot back only once it is reaped.)
    var currentChildren: [Int32] {
        Set(children).filter { Self.state(of: $0) != nil }.sorted()
    }

    /// A process's one-letter state (`R`, `S`, `Z`…), or nil once it is gone.
    private static func state(of pid: Int32) -> Substring? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        // The state follows the command name, which is in parentheses.
        return stat.split(separator: ")").last?.split(separator: " ").first
    }

    /// Waits up to `seconds` until at most `limit` children are left, none of them a zombie;
    /// returns the children then.
    func waitForChildren(atMost limit: Int, seconds: Double = 10) async throws -> [Int32] {
        let deadline = Date().addingTimeInterval(seconds)
        while children.count > limit || !zombieChildren.isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return children
    }

    /// Waits up to `seconds` for the descriptor count to come back to at most `limit`.
    func waitForDescriptors(atMost limit: Int, seconds: Double = 10) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while openDescriptors > limit, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return openDescriptors
    }
}

/// Samples a process's threads and children every few milliseconds on a thread of its own
/// and keeps the peaks.
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private(set) var peakThreads = 0
    private(set) var peakChildren = 0

    init(_ probe: ProcessProbe) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let threads = probe.threads
                let children = probe.currentChildren.count
                lock.withLock {
                    peakThreads = max(peakThreads, threads)
                    peakChildren = max(peakChildren, children)
                }
                usleep(5_000)
            }
        }
    }

    func stop() -> (threads: Int, children: Int) {
        lock.withLock {
            running = false
            return (peakThreads, peakChildren)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import FastCGI
import HTTPTypes
import Synchronization

/// Set by SIGTERM: answer the requests under way, then exit.
private let stopRequested = Atomic<Bool>(false)

/// A function as a long-lived FastCGI responder: it keeps its process (and so its open
/// database and parsed settings) between requests, and answers each with the same handler a
/// CGI invocation runs.
///
/// One process serves up to LEADWIRE_FASTCGI_CONNECTIONS connections at once, on one thread:
/// it waits until requests are complete, answers those that are, and goes back to waiting. A
/// function that commits in groups (the webhook intakes) answers the requests that are ready
/// together as one group: their writes share one transaction, each request in its own
/// savepoint, and every answer is sent only after that transaction commits. So a 2xx still
/// means "stored" (a `kill -9` mid-group loses only requests not yet answered), a request
/// whose processing fails undoes only its own writes, and a burst of senders shares one commit
/// (one fsync with full durability) instead of queueing for one each.
///
/// Settings come from the process's own environment, read once at start; each request's
/// meta-variables come from its FastCGI parameters. SIGTERM ends the process once the requests
/// under way are answered; LEADWIRE_FASTCGI_MAX_REQUESTS ends it after that many requests, for
/// hosts that start a fresh one.
struct FastCGIResponder {
    let context: FunctionContext
    let handler: Handler
    let listener: Int32
    let settings: FastCGISettings
    /// Whether the requests that are ready together commit together (see `FunctionMain.run`).
    let groupCommit: Bool

    func run() -> Never {
        installStopHandler()
        // Several processes may share the listener (spawn-fcgi): one that loses the race for a
        // connection must not block in accept while its own connections wait.
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        context.logger.info("fastcgi_ready", ["max_requests": JSONValue(settings.maxRequests.map(Int64.init))])
        var connections: [ServedConnection] = []
        var served = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let stopping = stopRequested.load(ordering: .relaxed) || settings.maxRequests.map { served >= $0 } ?? false
            if stopping {
                close(&connections) { $0.isIdle }
                if connections.isEmpty { finish(served: served) }
            }
            if let parent = settings.parentPID, getppid() != parent {
                context.logger.info("fastcgi_parent_gone", ["requests": JSONValue(Int64(served))])
                Glibc.exit(0)
            }
            if connections.contains(where: { $0.request != nil }) {
                gatherGroup(&connections, chunk: &chunk, accepting: !stopping)
                answerReady(&connections, served: &served)
                continue
            }
            wait(&connections, chunk: &chunk, accepting: !stopping, timeout: .seconds(1))
            closeSilent(&connections)
        }
    }

    /// Waits up to `timeout` for bytes on the connections and for new connections, and takes
    /// what arrived. Connections with a request waiting for its answer are not read meanwhile.
    private func wait(_ connections: inout [ServedConnection], chunk: inout [UInt8], accepting: Bool, timeout: Duration) {
        let reading = connections.indices.filter { connections[$0].request == nil }
        // At the limit, a new connection is let in only in place of an idle kept one.
        let listening = accepting && (connections.count < settings.connections || connections.contains(where: \.isIdle))
        var descriptors = reading.map { pollfd(fd: connections[$0].descriptor, events: Int16(POLLIN), revents: 0) }
        if listening { descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 else { return }  // timeout, or EINTR (a stop)

        var over: [Int32] = []
        for (position, index) in reading.enumerated() where descriptors[position].revents != 0 {
            if !connections[index].readAvailable(into: &chunk, logger: context.logger) { over.append(connections[index].descriptor) }
        }
        close(&connections) { over.contains($0.descriptor) }
        if listening, descriptors[descriptors.count - 1].revents != 0 { accept(into: &connections) }
    }

    /// Takes the connections waiting on the listener, up to the limit; at the limit, a new one
    /// takes the place of an idle kept one.
    private func accept(into connections: inout [ServedConnection]) {
        let limits = ResponderConnection.Limits(
            maxParamsBytes: settings.maxParamsBytes, maxBodyBytes: settings.maxBodyBytes, maxConnections: settings.connections)
        while connections.count < settings.connections || connections.contains(where: \.isIdle) {
            let descriptor = Glibc.accept(listener, nil, nil)
            guard descriptor >= 0 else {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED { return }
                context.logger.error("fastcgi_accept_failed", ["message": .string(String(cString: strerror(errno)))])
                Glibc.exit(1)
            }
            // The listener's O_NONBLOCK is not inherited on Linux; answers are written blocking,
            // bounded by the read timeout so a host that stops reading cannot hold the process.
            var timeout = timeval(tv_sec: settings.readTimeoutSeconds, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var noDelay: Int32 = 1  // fails harmlessly on a Unix socket
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            if connections.count >= settings.connections, let idle = connections.firstIndex(where: \.isIdle) {
                Glibc.close(connections.remove(at: idle).descriptor)
            }
            connections.append(ServedConnection(descriptor: descriptor, limits: limits))
        }
    }

    /// For a group that is not full, waits up to LEADWIRE_GROUP_COMMIT_WAIT_MS for more requests.
    private func gatherGroup(_ connections: inout [ServedConnection], chunk: inout [UInt8], accepting: Bool) {
        guard groupCommit, settings.groupWait > .zero else { return }
        let until = ContinuousClock.now + settings.groupWait
        while connections.count(where: { $0.request != nil }) < settings.groupMaxRequests {
            let left = ContinuousClock.now.duration(to: until)
            guard left > .zero else { return }
            wait(&connections, chunk: &chunk, accepting: accepting, timeout: left)
        }
    }

    /// Answers the requests that are ready: as one group when the function commits in groups
    /// (at most LEADWIRE_GROUP_COMMIT_MAX_REQUESTS of them), else the first one alone.
    private func answerReady(_ connections: inout [ServedConnection], served: inout Int) {
        let limit = groupCommit ? settings.groupMaxRequests : 1
        let members = Array(connections.indices.filter { connections[$0].request != nil }.prefix(limit))
        if groupCommit { context.resources.beginGroup() }
        var answers = members.map { handle(connections[$0].request!) }
        if groupCommit {
            do {
                try context.resources.commitGroup()
            } catch {
                // Nothing the group wrote was kept: no request may be told it was stored.
                context.logger.error("group_commit_failed", ["message": .string(String(describing: error)), "requests": JSONValue(Int64(members.count))])
                for index in answers.indices where (200..<300).contains(answers[index].response.status.code) {
                    answers[index].response = HTTPError.serviceUnavailable("The event could not be stored; nothing was kept, retry later.").response
                }
            }
        }
        var over: [Int32] = []
        for (index, answer) in zip(members, answers) {
            let request = connections[index].request!
            connections[index].answered()
            let delivered = write(answer, for: request, on: connections[index].descriptor, group: groupCommit ? members.count : nil)
            served += 1
            // Records that came after the request were kept for now: take them.
            let keep = delivered && request.keepConnection && !stopRequested.load(ordering: .relaxed)
            if !keep || !connections[index].advance(logger: context.logger) { over.append(connections[index].descriptor) }
        }
        close(&connections) { over.contains($0.descriptor) }
    }

    /// A request's answer, made but not yet sent.
    private struct Answer {
        var response: Response
        let meta: Environment
        let context: FunctionContext
        let started: Timestamp
        let roundTrips: Int
    }

    /// Runs the handler for one request.
    private func handle(_ complete: ResponderConnection.CompleteRequest) -> Answer {
        let started = Timestamp.now()
        var values: [String: String] = [:]
        for (name, value) in complete.params {
            values[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        if complete.bodyByteCount > settings.maxBodyBytes {
            // A body over the limit, whatever CONTENT_LENGTH claimed: refused as too large.
            values["CONTENT_LENGTH"] = String(complete.bodyByteCount)
        }
        let meta = Environment(values)
        let requestID = RequestID.of(meta)
        let context = context.handling(request: requestID)
        let roundTripsBefore = context.resources.roundTrips
        var response = FunctionMain.respond(context: context, handler: handler) { settings throws(HTTPError) in
            try CGIRequest.request(from: meta, maxBodyBytes: settings.maxBodyBytes) { _ in complete.body }
        }
        response.headers[.requestID] = requestID
        return Answer(response: response, meta: meta, context: context, started: started, roundTrips: context.resources.roundTrips - roundTripsBefore)
    }

    /// Writes an answer. False when the connection failed.
    private func write(_ answer: Answer, for request: ResponderConnection.CompleteRequest, on connection: Int32, group: Int?) -> Bool {
        let output = StdoutRecordWriter(connection: connection, requestID: request.requestID)
        var delivered = true
        do {
            try CGIResponse.write(answer.response, to: output)
            try output.finish()
        } catch {
            delivered = false
            answer.context.logger.error("response_incomplete", ["message": .string(String(describing: error))])
        }
        FunctionMain.logRequest(
            answer.context.logger, meta: answer.meta, status: answer.response.status.code, started: answer.started, group: group,
            roundTrips: answer.roundTrips)
        return delivered
    }

    /// Closes the connections silent past the read timeout; one that stopped mid-request is logged.
    private func closeSilent(_ connections: inout [ServedConnection]) {
        let oldest = ContinuousClock.now - .seconds(settings.readTimeoutSeconds)
        close(&connections) { connection in
            guard connection.lastActivity < oldest else { return false }
            if connection.isMidRequest {
                context.logger.error("fastcgi_read_timeout", ["seconds": JSONValue(Int64(settings.readTimeoutSeconds))])
            }
            return true
        }
    }

    private func close(_ connections: inout [ServedConnection], where shouldClose: (ServedConnection) -> Bool) {
        connections.removeAll { connection in
            guard shouldClose(connection) else { return false }
            Glibc.close(connection.descriptor)
            return true
        }
    }

    private func finish(served: Int) -> Never {
        let limitReached = settings.maxRequests.map { served >= $0 } ?? false
        context.logger.info(limitReached ? "fastcgi_recycled" : "fastcgi_stopped", ["requests": JSONValue(Int64(served))])
        Glibc.exit(0)
    }

    private func installStopHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a waiting poll() returns EINTR and the loop sees the flag
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        // Some starters hand down a mask with these blocked; a responder must hear them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}

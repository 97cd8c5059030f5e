import Foundation
import Synchronization

/// The `Date` header's value (RFC 9110 §5.6.7, IMF-fixdate), formatted at most once a second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    static var now: String {
        let seconds = Int(Date().timeIntervalSince1970)
        return cache.withLock { cache in
            if cache.second != seconds {
                cache = (seconds, formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
            }
            return cache.text
        }
    }

    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()
}

import FunctionCatalog

/// The settings `host-config` writes into a configuration, and the two rules it keeps while
/// doing so: no secret value goes into a generated file (secrets reach the functions as
/// `<NAME>_FILE` paths), and no webhook is served open to anyone unless the operator said so.
enum HostSettings {
    /// `given` without the secrets given as values, each left out with a warning that says how
    /// to pass it instead.
    static func withoutSecretValues(_ given: [String: String], warn: (String) -> Void) -> [String: String] {
        var kept = given
        for (name, value) in given.sorted(by: { $0.key < $1.key }) where Catalog.isSecret(name, value: value) {
            kept[name] = nil
            let file = "/etc/leadwire/" + name.dropFirst("LEADWIRE_".count).lowercased()
            warn(
                "warning: \(name) was given as a value and is left out: a generated file is no place for a secret. Move it into a file "
                    + "only the functions' user can read and give its path instead:\n"
                    + "  mkdir -p /etc/leadwire && (umask 027; printf '%s' \"$\(name)\" > \(file)) && chgrp leadwire \(file)\n"
                    + "  export \(name)_FILE=\(file); unset \(name)")
        }
        return kept
    }

    /// Throws unless every webhook in `catalog` has a token, signing secret or allowlist in
    /// `settings`, or is opened by name (`…_AUTH=none`).
    static func requireAuthenticatedIntake(_ catalog: [FunctionDescription], settings: [String: String]) throws(UnauthenticatedIntake) {
        let open = catalog.compactMap { function -> String? in
            guard case .webhook(let access) = function.authentication, !access.authenticates(settings), !access.isOpenedByChoice(settings)
            else { return nil }
            return access.howToAuthenticate(function.name)
        }
        guard open.isEmpty else { throw UnauthenticatedIntake(problems: open) }
    }

    struct UnauthenticatedIntake: Error, CustomStringConvertible {
        let problems: [String]
        var description: String {
            "No configuration written: it would serve webhooks that answer every request with 401.\n"
                + problems.map { "- " + $0 }.joined(separator: "\n")
                + "\nGive the settings in the environment or with --env-file (secrets as <NAME>_FILE paths)."
        }
    }
}

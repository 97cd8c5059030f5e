import FunctionCatalog

extension Environment {
    /// The settings with every `LEADWIRE_<NAME>_FILE` read into `LEADWIRE_<NAME>`: the convention
    /// of container images, so a secret can live in a file only the functions' user can read
    /// instead of in a web server's configuration. The file's content is the value, without its
    /// trailing line break. Setting both forms of one name, or a file that cannot be read, is a
    /// configuration error, never a silently missing secret.
    public func resolvingSecretFiles() throws(ConfigurationError) -> Environment {
        var resolved = self
        for (name, path) in values where name.hasPrefix("LEADWIRE_") && name.hasSuffix("_FILE") && !path.isEmpty {
            let setting = String(name.dropLast("_FILE".count))
            guard self[setting] == nil else {
                throw ConfigurationError(message: "\(setting) and \(name) are both set; use one of them.")
            }
            guard let bytes = FileDescriptorIO.readFile(path) else {
                throw ConfigurationError(message: "\(name): cannot read \(path) (it must be readable by the functions' user).")
            }
            var value = String(decoding: bytes, as: UTF8.self)
            while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
            resolved.values[setting] = value
        }
        return resolved
    }
}

extension Environment {
    /// Only the LEADWIRE_* settings the catalog says `function` reads (the rest of the
    /// environment stays): whatever else a host passes on, another function's secret above
    /// all, never reaches this one, nor is its file read.
    public func readableBy(function: String) -> Environment {
        guard let description = Catalog.function(named: function) else { return self }
        return Environment(description.environment(from: values))
    }
}

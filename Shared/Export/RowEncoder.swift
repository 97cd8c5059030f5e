import FunctionKit
import LeadwireStore

/// Writes rows as CSV (RFC 4180), a JSON array, or NDJSON, straight from SQLite's bytes into
/// an output buffer: no per-cell strings, so throughput is bound by the copying, not by
/// allocation.
struct RowEncoder {
    let format: ExportQuery.Format
    let columns: [Dataset.Column]
    /// `"name":` for each column, escaped once rather than per row.
    private let jsonNames: [[UInt8]]

    private static let null = Array("null".utf8)
    private static let `true` = Array("true".utf8)
    private static let `false` = Array("false".utf8)

    init(format: ExportQuery.Format, columns: [Dataset.Column]) {
        self.format = format
        self.columns = columns
        jsonNames = columns.map { column in
            var bytes: [UInt8] = []
            JSONString.write(column.name.utf8, to: &bytes)
            return bytes + [UInt8(ascii: ":")]
        }
    }

    func header(into output: inout [UInt8]) {
        switch format {
        case .csv:
            for (index, column) in columns.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Array(column.name.utf8).withUnsafeBufferPointer { writeCSVText($0, into: &output) }
            }
            output += [0x0D, 0x0A]
        case .json: output.append(UInt8(ascii: "["))
        case .ndjson: break
        }
    }

    func footer(rows: Int, into output: inout [UInt8]) {
        if format == .json { output += Array((rows == 0 ? "]\n" : "\n]\n").utf8) }
    }

    func row(_ row: borrowing RowCursor, index: Int, into output: inout [UInt8]) {
        switch format {
        case .csv:
            for column in 0..<columns.count {
                if column > 0 { output.append(UInt8(ascii: ",")) }
                writeCSVCell(row, column, into: &output)
            }
            output += [0x0D, 0x0A]
        case .json, .ndjson:
            if format == .json { output += index == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A] }
            output.append(UInt8(ascii: "{"))
            for column in 0..<columns.count {
                if column > 0 { output.append(UInt8(ascii: ",")) }
                jsonNames[column].withUnsafeBufferPointer { output.append(contentsOf: $0) }
                writeJSONValue(row, column, into: &output)
            }
            output.append(UInt8(ascii: "}"))
            if format == .ndjson { output.append(0x0A) }
        }
    }

    // MARK: CSV

    private func writeCSVCell(_ row: borrowing RowCursor, _ column: Int, into output: inout [UInt8]) {
        switch row.type(column) {
        case .null: return
        case .integer:
            if columns[column].kind == .boolean {
                output += row.integer(column) != 0 ? Self.true : Self.false
            } else {
                writeInteger(row.integer(column), into: &output)
            }
        case .real: output += Array(String(row.real(column)).utf8)
        case .text, .blob: row.withBytes(column) { writeCSVText($0, into: &output) }
        }
    }

    /// RFC 4180 quoting, after neutralising text a spreadsheet would run as a formula (OWASP:
    /// a leading = + - @ tab or carriage return gets a `'` in front). A spreadsheet in a locale
    /// whose separator is `;` (or a tab) splits a cell there, so a cell holding one is quoted,
    /// and a formula character right after any separator is neutralised too, in case a program
    /// splits without honouring the quotes. Numbers are never text here, so negative amounts
    /// stay numbers.
    private func writeCSVText(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let needsQuotes = bytes.contains { Self.separators.contains($0) || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { output.append(UInt8(ascii: "\"")) }
        var cellStart = true
        for byte in bytes {
            if cellStart && Self.formulaStarts.contains(byte) { output.append(UInt8(ascii: "'")) }
            if byte == UInt8(ascii: "\"") { output.append(byte) }
            output.append(byte)
            cellStart = Self.separators.contains(byte)
        }
        if needsQuotes { output.append(UInt8(ascii: "\"")) }
    }

    private static let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09]
    private static let formulaStarts: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]

    // MARK: JSON

    private func writeJSONValue(_ row: borrowing RowCursor, _ column: Int, into output: inout [UInt8]) {
        switch row.type(column) {
        case .null: output += Self.null
        case .integer:
            if columns[column].kind == .boolean {
                output += row.integer(column) != 0 ? Self.true : Self.false
            } else {
                writeInteger(row.integer(column), into: &output)
            }
        case .real:
            let value = row.real(column)
            output += value.isFinite ? Array(String(value).utf8) : Self.null
        case .text, .blob:
            // JSON columns were checked with json_valid in the query, so they are copied as they are.
            if columns[column].kind == .json {
                row.withBytes(column) { output.append(contentsOf: $0) }
            } else {
                row.withBytes(column) { JSONString.write($0, to: &output) }
            }
        }
    }

    private func writeInteger(_ value: Int64, into output: inout [UInt8]) {
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while magnitude > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        output.append(contentsOf: digits.reversed())
    }
}

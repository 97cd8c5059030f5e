/// Arithmetic on numbers that came from a request or the store, which may be anywhere in their
/// type's range: a result past the range stops at its edge instead of trapping (Swift's `+` and
/// `*` end the process on overflow, and a webhook must never do that).
extension FixedWidthInteger {
    public func saturatingAdd(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    public func saturatingMultiply(_ other: Self) -> Self {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}

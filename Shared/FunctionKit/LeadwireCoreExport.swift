// A function's code reads JSON, times and settings as much as requests: whoever imports the
// invocation contract gets LeadwireCore's types with it.
@_exported public import LeadwireCore

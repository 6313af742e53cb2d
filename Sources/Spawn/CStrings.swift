import Foundation

/// NULL-terminated C string arrays (argv, envp) that live for the duration of a call.
enum CStrings {
    static func withArray<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws(SpawnError) -> R
    ) throws(SpawnError) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return try pointers.withUnsafeBufferPointer { buffer throws(SpawnError) in
            // The buffer is never empty (it ends with nil), so its base address exists.
            try body(buffer.baseAddress!)
        }
    }

    /// `environment` as `KEY=VALUE` strings, or this process's own environment when nil.
    static func withEnvironment<R>(
        _ environment: [String: String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws(SpawnError) -> R
    ) throws(SpawnError) -> R {
        let variables = environment ?? ProcessInfo.processInfo.environment
        return try withArray(variables.map { "\($0.key)=\($0.value)" }, body)
    }
}

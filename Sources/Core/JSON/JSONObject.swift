/// A JSON object that preserves member order (needed to emit inner objects in a fixed key order).
///
/// Keys are matched by their exact Unicode scalars, not by Swift's canonical equivalence, so a
/// key spelled with U+212A KELVIN SIGN is never found by a lookup of "K". Equality compares the
/// members in order.
public struct JSONObject: Sendable {
    /// Objects with more members than this get a hash index; smaller ones are scanned linearly.
    private static let indexThreshold = 12

    private var storage: [(key: String, value: JSONValue)]
    /// Key -> position in `storage`; only present once `storage.count > indexThreshold`.
    private var index: [ExactKey: Int]?

    /// An empty object.
    public init() {
        storage = []
        index = nil
    }

    /// An object with `members` in the given order. A repeated key replaces the earlier value in place.
    public init(_ members: [(String, JSONValue)]) {
        self.init()
        storage.reserveCapacity(members.count)
        for (key, value) in members {
            self[key] = value
        }
    }

    /// The members in order.
    public var members: [(key: String, value: JSONValue)] { storage }

    /// The keys in order.
    public var keys: [String] { storage.map(\.key) }

    /// The number of members.
    public var count: Int { storage.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { storage.isEmpty }

    /// Whether a member with exactly this key exists.
    public func containsKey(_ key: String) -> Bool {
        position(of: key) != nil
    }

    /// The value for `key`. Setting appends a new key at the end, replaces an existing one in
    /// place, and setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return storage[position].value
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    storage[position].value = newValue
                } else {
                    removeMember(at: position)
                }
            } else if let newValue {
                appendAssumingNewKey(key, newValue)
            }
        }
    }

    /// Removes the member for `key` and returns its value, or nil if there was none.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let value = storage[position].value
        removeMember(at: position)
        return value
    }

    /// Appends a member; the caller guarantees `key` is not present yet (the parser checks first).
    mutating func appendAssumingNewKey(_ key: String, _ value: JSONValue) {
        storage.append((key: key, value: value))
        if index != nil {
            index![ExactKey(key)] = storage.count - 1
        } else if storage.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    private func position(of key: String) -> Int? {
        if let index {
            return index[ExactKey(key)]
        }
        for position in storage.indices where exactlyEqual(storage[position].key, key) {
            return position
        }
        return nil
    }

    private mutating func removeMember(at position: Int) {
        storage.remove(at: position)
        if index != nil {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard storage.count > Self.indexThreshold else {
            index = nil
            return
        }
        var newIndex: [ExactKey: Int] = [:]
        newIndex.reserveCapacity(storage.count)
        for (position, member) in storage.enumerated() {
            newIndex[ExactKey(member.key)] = position
        }
        index = newIndex
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for (left, right) in zip(lhs.storage, rhs.storage) {
            guard exactlyEqual(left.key, right.key), left.value == right.value else { return false }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keeps the literal's member order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

/// A dictionary key that hashes and compares a string by its exact UTF-8 bytes.
private struct ExactKey: Hashable, Sendable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        exactlyEqual(lhs.string, rhs.string)
    }

    func hash(into hasher: inout Hasher) {
        let utf8 = string.utf8
        hasher.combine(utf8.count)
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { buffer in
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
        if hashed == nil {
            for byte in utf8 { hasher.combine(byte) }
        }
    }
}

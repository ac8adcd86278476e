/// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c)): a CA's permitted and excluded
/// dNSName and iPAddress subtrees, applied to the names of a certificate below it.
///
/// Other name forms (directoryName, rfc822Name, URI …) are not processed; a constraint on
/// such a form refuses every subordinate certificate that carries a name of that form,
/// which RFC 5280 allows ("process the constraint or reject the certificate").
public enum NameConstraints {
    /// Throws `nameConstraintViolation` unless every dNSName and iPAddress of `subject`'s
    /// subjectAltName — and `commonName` when the caller will match a host name against it
    /// — satisfies `ca`'s constraints.
    ///
    /// The work (names × subtrees comparisons) is taken from `work` before any comparison,
    /// so that a certificate built to exhaust it is refused at the cost of counting.
    public static func check(
        ca: borrowing Certificate, subject: borrowing Certificate, commonName: Span<UInt8>?,
        work: inout ValidationWork
    ) throws(TLSError) {
        // `??` does not take non-escapable operands yet.
        var permittedList = ca.der.extracting(0..<0)
        var excludedList = ca.der.extracting(0..<0)
        var constrained = false
        if let permitted = ca.extensions.permittedSubtrees {
            permittedList = permitted
            constrained = true
        }
        if let excluded = ca.extensions.excludedSubtrees {
            excludedList = excluded
            constrained = true
        }
        guard constrained else { return }
        let subtrees = count(permittedList) &+ count(excludedList)
        var names = 1 &+ (commonName == nil ? 0 : 1)  // the subject DN, the CN in use
        if let san = subject.extensions.subjectAltNames { names &+= count(san) }
        // Both counts are bounded by the certificates' sizes (< 2^24), so the product fits
        // an Int on 64-bit targets; on 32-bit ones a product past Int.max is refused too.
        let (comparisons, overflow) = names.multipliedReportingOverflow(by: subtrees)
        if overflow { throw .certificate(.violates(.nameConstraintBudget)) }
        try work.spendComparisons(comparisons)

        // Forms constrained but not processed here.
        let unhandled = formsNotProcessed(permittedList) | formsNotProcessed(excludedList)
        if unhandled & (1 << 4) != 0 {
            // directoryName: the subject name is one (§4.2.1.10); an empty one is not.
            var name = DER(subject.subject)
            if let contents = try? name.contents(DER.sequence), contents.count > 0 {
                throw .certificate(.nameConstraintViolation)
            }
        }

        if let names = subject.extensions.subjectAltNames {
            var reader = DER(names)
            while !reader.isAtEnd {
                guard let name = try? reader.next() else { throw .certificate(.malformed(where: .subjectAltName)) }
                let form = name.tag & 0x1F
                if form < 16, unhandled & (1 << UInt16(form)) != 0 {
                    throw .certificate(.nameConstraintViolation)
                }
                try checkName(tag: name.tag, name.contents, permitted: permittedList, excluded: excludedList)
            }
        }
        if let commonName {
            try checkName(tag: GeneralName.dnsName, commonName, permitted: permittedList, excluded: excludedList)
        }
    }

    /// One name against both lists: inside at least one permitted subtree of its form (if
    /// the form has any) and inside no excluded one.
    static func checkName(
        tag: UInt8, _ name: Span<UInt8>, permitted: Span<UInt8>, excluded: Span<UInt8>
    ) throws(TLSError) {
        guard tag == GeneralName.dnsName || tag == GeneralName.ipAddress else { return }
        var sawForm = false
        var inside = false
        var reader = DER(permitted)
        while !reader.isAtEnd {
            guard let base = try? baseName(&reader) else { throw .certificate(.malformed(where: .nameConstraints)) }
            guard base.tag == tag else { continue }
            sawForm = true
            if covers(tag: tag, base.contents, name, excluding: false) {
                inside = true
                break
            }
        }
        if sawForm && !inside { throw .certificate(.nameConstraintViolation) }
        reader = DER(excluded)
        while !reader.isAtEnd {
            guard let base = try? baseName(&reader) else { throw .certificate(.malformed(where: .nameConstraints)) }
            if base.tag == tag, covers(tag: tag, base.contents, name, excluding: true) {
                throw .certificate(.nameConstraintViolation)
            }
        }
    }

    /// The base GeneralName of the next GeneralSubtree.
    @_lifetime(copy reader)
    @_lifetime(reader: copy reader)
    static func baseName(_ reader: inout DER) throws(TLSError) -> DERElement {
        var subtree = try reader.nested()
        return try subtree.next()
    }

    static func covers(tag: UInt8, _ base: Span<UInt8>, _ name: Span<UInt8>, excluding: Bool) -> Bool {
        if tag == GeneralName.ipAddress {
            // address ‖ mask, 8 or 32 octets, against an address of 4 or 16 (§4.2.1.10).
            guard base.count == name.count &* 2 else { return false }
            for i in 0..<name.count {
                let mask = base[name.count &+ i]
                guard name[i] & mask == base[i] & mask else { return false }
            }
            return true
        }
        if Hostname.isWithin(name, domain: base) { return true }
        // A wildcard "*.example.com" stands for any one label in front of example.com: it
        // reaches an excluded "bad.example.com" even though the text is not inside it.
        if excluding, name.count > 2, name[0] == 0x2A, name[1] == 0x2E {
            let suffix = name.extracting(2..<name.count)
            let base = Hostname.trimmingDot(base)
            var dot = -1
            for i in 0..<base.count where base[i] == 0x2E {
                dot = i
                break
            }
            if dot > 0, Hostname.equalFolded(base.extracting((dot &+ 1)..<base.count), Hostname.trimmingDot(suffix)) {
                return true
            }
        }
        return false
    }

    /// Elements in a list of DER elements (GeneralNames, GeneralSubtrees); the lists were
    /// parsed whole when the certificate was, so a fault here only ends the count.
    static func count(_ list: Span<UInt8>) -> Int {
        var n = 0
        var reader = DER(list)
        while !reader.isAtEnd {
            guard (try? reader.next()) != nil else { break }
            n &+= 1
        }
        return n
    }

    /// A mask of the GeneralName forms (bit = tag number) in `subtrees` other than dNSName
    /// and iPAddress.
    static func formsNotProcessed(_ subtrees: Span<UInt8>) -> UInt16 {
        var mask: UInt16 = 0
        var reader = DER(subtrees)
        while !reader.isAtEnd {
            guard let base = try? baseName(&reader) else { return 0xFFFF }
            if base.tag != GeneralName.dnsName, base.tag != GeneralName.ipAddress {
                mask |= 1 << UInt16(base.tag & 0x0F)
            }
        }
        return mask
    }
}

/// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c)): a CA's permitted and excluded
/// subtrees, applied to the names of a certificate below it. Processed forms: dNSName,
/// iPAddress, rfc822Name (a mailbox, a host, or ".domain" for the hosts below it),
/// directoryName (the constraint's RDNs a prefix of the name's, compared RDN by RDN as
/// `DistinguishedName` compares them) and uniformResourceIdentifier (the URI's host against
/// a host or a ".domain").
///
/// The other forms (otherName, x400Address, ediPartyName, registeredID) are not processed:
/// a constraint on such a form refuses every subordinate certificate that carries a name
/// of that form, `violates(.nameConstraintFormNotProcessed)` (§4.2.1.10: "MUST either
/// process the constraint or reject the certificate"; done whether or not the extension is
/// critical, as conforming CAs always mark it critical).
public enum NameConstraints {
    /// GeneralName tag numbers (the low five bits) this type processes.
    static let processedForms: UInt16 = 1 << 1 | 1 << 2 | 1 << 4 | 1 << 6 | 1 << 7

    /// Throws `nameConstraintViolation` unless every name of `subject` satisfies `ca`'s
    /// constraints: each subjectAltName entry, the subject DN (directoryName, when not
    /// empty), the subject's emailAddress attributes when there is no subjectAltName
    /// (rfc822Name, §4.2.1.10), and `commonName` when the caller matches a host name against it.
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
        // The subject DN, the CN in use, the emailAddress attributes, the SAN entries.
        var names = 1 &+ (commonName == nil ? 0 : 1) &+ emailAddresses(subject.subject)
        if let san = subject.extensions.subjectAltNames { names &+= count(san) }
        // Both counts are bounded by the certificates' sizes (< 2^24), so the product fits
        // an Int on 64-bit targets; on 32-bit ones a product past Int.max is refused too.
        let (comparisons, overflow) = names.multipliedReportingOverflow(by: subtrees)
        if overflow { throw .certificate(.violates(.nameConstraintBudget)) }
        try work.spendComparisons(comparisons)

        // Forms constrained but not processed here.
        let unhandled = formsNotProcessed(permittedList) | formsNotProcessed(excludedList)

        if let names = subject.extensions.subjectAltNames {
            var reader = DER(names)
            while !reader.isAtEnd {
                guard let name = try? reader.next() else { throw .certificate(.malformed(where: .subjectAltName)) }
                let form = name.tag & 0x1F
                if form < 16, unhandled & (1 << UInt16(form)) != 0 {
                    throw .certificate(.violates(.nameConstraintFormNotProcessed))
                }
                try checkName(tag: name.tag, name.contents, permitted: permittedList, excluded: excludedList)
            }
        } else {
            // §4.2.1.10: without a subjectAltName, rfc822Name constraints apply to the
            // subject's emailAddress attributes.
            var attributes = DER(subject.subject)
            if var rdns = try? attributes.nested() {
                while !rdns.isAtEnd {
                    guard var rdn = try? rdns.nested(DER.set) else { break }
                    while !rdn.isAtEnd {
                        guard var attribute = try? rdn.nested(),
                              let type = try? attribute.contents(DER.objectIdentifier),
                              let value = try? attribute.next() else { break }
                        guard OID.matches(type, OID.emailAddress) else { continue }
                        try checkName(tag: GeneralName.rfc822Name, value.contents, permitted: permittedList,
                                      excluded: excludedList)
                    }
                }
            }
        }
        // §6.1.3 (b): the subject DN is a directoryName, unless it is empty.
        if !subject.hasEmptySubject {
            try checkName(tag: GeneralName.directoryName, subject.subject, permitted: permittedList, excluded: excludedList)
        }
        if let commonName {
            try checkName(tag: GeneralName.dnsName, commonName, permitted: permittedList, excluded: excludedList)
        }
    }

    /// The emailAddress attributes of a Name (counted for the work bound).
    static func emailAddresses(_ name: Span<UInt8>) -> Int {
        var n = 0
        var outer = DER(name)
        guard var rdns = try? outer.nested() else { return 0 }
        while !rdns.isAtEnd {
            guard var rdn = try? rdns.nested(DER.set) else { return n }
            while !rdn.isAtEnd {
                guard var attribute = try? rdn.nested(), let type = try? attribute.contents(DER.objectIdentifier) else { return n }
                if OID.matches(type, OID.emailAddress) { n &+= 1 }
            }
        }
        return n
    }

    /// One name against both lists: inside at least one permitted subtree of its form (if
    /// the form has any) and inside no excluded one.
    static func checkName(
        tag: UInt8, _ name: Span<UInt8>, permitted: Span<UInt8>, excluded: Span<UInt8>
    ) throws(TLSError) {
        guard tag & 0x1F < 16, processedForms & (1 << UInt16(tag & 0x1F)) != 0 else { return }
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
        if tag == GeneralName.rfc822Name {
            // A name that is not a mailbox is inside every excluded and no permitted subtree.
            guard singleAt(name) != nil else { return excluding }
            return mailboxCovers(base, name)
        }
        if tag == GeneralName.directoryName { return directoryCovers(base, name) }
        if tag == GeneralName.uniformResourceIdentifier {
            // §4.2.1.10: a URI without an authority holding a host that is a fully qualified
            // domain name (none, or an IP address) MUST be rejected once the form is
            // constrained: outside every permitted subtree, inside every excluded one. So is
            // a constraint that is neither a host nor a ".domain".
            guard let host = uriHost(name), isURIConstraint(base) else { return excluding }
            let hostName = name.extracting(host)
            // ".example.com": hosts below it, not example.com itself; "host.example.com":
            // that host only (unlike dNSName, no labels added on the left).
            if base[0] == 0x2E { return Hostname.isWithin(hostName, domain: base) }
            return Hostname.equalFolded(hostName, base)
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

    /// The host of a URI (RFC 3986 §3.2.2) as a range of `uri`: after "scheme://" and any
    /// "userinfo@", before any ":port", "/", "?" or "#". nil unless it is a DNS name
    /// (letters, digits, hyphens, non-empty labels; an IP literal in brackets, a dotted
    /// IPv4 address, a percent-encoded or empty host are not).
    static func uriHost(_ uri: Span<UInt8>) -> Range<Int>? {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
        var colon = -1
        for i in 0..<uri.count {
            let c = uri[i]
            if c == 0x3A {
                colon = i
                break
            }
            let letter = c | 0x20 >= 0x61 && c | 0x20 <= 0x7A
            guard letter || (i > 0 && ((c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E)) else {
                return nil
            }
        }
        guard colon > 0, colon &+ 2 < uri.count, uri[colon &+ 1] == 0x2F, uri[colon &+ 2] == 0x2F else { return nil }
        let start = colon &+ 3
        var end = uri.count
        for i in start..<uri.count where uri[i] == 0x2F || uri[i] == 0x3F || uri[i] == 0x23 {
            end = i
            break
        }
        // The last "@" ends the userinfo; a ":" after the host starts the port.
        var hostStart = start
        for i in start..<end where uri[i] == 0x40 { hostStart = i &+ 1 }
        var hostEnd = end
        for i in hostStart..<end where uri[i] == 0x3A {
            hostEnd = i
            break
        }
        guard hostStart < hostEnd, uri[hostStart] != 0x5B else { return nil }  // "[": IP literal
        let host = uri.extracting(hostStart..<hostEnd)
        guard Hostname.isValidConstraint(host) else { return nil }
        // A last label of digits only is an IPv4 address, not a domain (no TLD is numeric).
        var allDigits = true
        var i = host.count &- 1
        while i >= 0, host[i] != 0x2E {
            if host[i] < 0x30 || host[i] > 0x39 { allDigits = false }
            i &-= 1
        }
        guard !allDigits else { return nil }
        return hostStart..<hostEnd
    }

    /// A URI constraint's syntax (§4.2.1.10): a fully qualified domain name, with a leading
    /// period for a domain.
    static func isURIConstraint(_ base: Span<UInt8>) -> Bool {
        guard base.count > 0 else { return false }
        if base[0] == 0x2E { return Hostname.isValidConstraint(base.extracting(1..<base.count)) }
        return Hostname.isValidConstraint(base)
    }

    /// rfc822Name (§4.2.1.10): a constraint with "@" is one mailbox (local part exact,
    /// host case-insensitive, §7.5); a host alone is every mailbox on that host; ".domain"
    /// every mailbox on a host below it.
    static func mailboxCovers(_ base: Span<UInt8>, _ name: Span<UInt8>) -> Bool {
        guard let at = singleAt(name) else { return false }
        let host = name.extracting((at &+ 1)..<name.count)
        if let baseAt = singleAt(base) {
            return OID.equal(base.extracting(0..<baseAt), name.extracting(0..<at))
                && Hostname.equalFolded(base.extracting((baseAt &+ 1)..<base.count), host)
        }
        if base.count > 0, base[0] == 0x2E { return Hostname.isWithin(host, domain: base) }
        return Hostname.equalFolded(base, host)
    }

    static func singleAt(_ text: Span<UInt8>) -> Int? {
        var at: Int? = nil
        for i in 0..<text.count where text[i] == 0x40 {
            guard at == nil else { return nil }
            at = i
        }
        guard let at, at > 0, at &+ 1 < text.count else { return nil }
        return at
    }

    /// directoryName: `base` (a Name, as the [4] GeneralName holds it) has no more RDNs
    /// than `name` and each equals `name`'s at the same place; an empty base covers all.
    static func directoryCovers(_ base: Span<UInt8>, _ name: Span<UInt8>) -> Bool {
        var baseOuter = DER(base)
        var nameOuter = DER(name)
        guard var baseRDNs = try? baseOuter.nested(), var nameRDNs = try? nameOuter.nested() else { return false }
        while !baseRDNs.isAtEnd {
            guard let constraint = try? baseRDNs.next(), let rdn = try? nameRDNs.next() else { return false }
            guard DistinguishedName.rdnEqual(constraint.encoded, rdn.encoded) else { return false }
        }
        return true
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

    /// A mask of the GeneralName forms (bit = tag number) in `subtrees` not processed here.
    static func formsNotProcessed(_ subtrees: Span<UInt8>) -> UInt16 {
        var mask: UInt16 = 0
        var reader = DER(subtrees)
        while !reader.isAtEnd {
            guard let base = try? baseName(&reader) else { return 0xFFFF }
            let form = UInt16(base.tag & 0x1F)
            if processedForms & (1 << form) == 0 { mask |= 1 << form }
        }
        return mask
    }
}

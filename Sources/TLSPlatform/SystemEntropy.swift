import CPOSIX
import TLSCore

/// The Linux kernel's entropy (`getrandom(2)`), as the DRBG's `EntropySource`. A board
/// without Linux supplies its own hardware RNG in the same shape.
public enum SystemEntropy {
    public static var source: EntropySource { EntropySource(function: fill, context: nil) }

    private static let fill: EntropySource.Function = { _, output, count in
        guard let output else { return -1 }
        var done = 0
        while done < count {
            let got = getrandom(output + done, count - done, 0)
            if got < 0 {
                if cposix_errno() == EINTR { continue }
                return -1
            }
            done += got
        }
        return 0
    }
}

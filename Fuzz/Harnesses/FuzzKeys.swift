public import OlafCrypto

/// Fixed RSA-2048 keys the harnesses decrypt and verify with, so committed seeds (signed and sealed with them)
/// keep reaching the deep code paths. Test-only keys: never use them for anything else.
public enum FuzzKeys {
    /// The harnesses' own identity: chats are opened and envelopes verified with this key.
    public static let recipient = load(recipientPEM)
    /// Another identity, used to produce seeds signed by someone else.
    public static let other = load(otherPEM)

    private static func load(_ pem: String) -> RSAPrivateKey {
        do {
            return try RSAPrivateKey(pkcs8PEM: pem)
        } catch {
            preconditionFailure("the fixed fuzzing key does not parse: \(error)")
        }
    }

    private static let recipientPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQC+dzLPArDVpm0e
        pc6YsPLOCbUOUBxzn1ELviXoJsWiTDwU+5XVX3A3TsTgwl3PHPBS7Voctjo0MkkK
        M782n0JQ2FJa3kVnjCVKqMY/CxAGHkZb9ODG8okV2oH1F11wEQNHx7HdAJyJwihX
        infYym+0PCPA1d1de1+VD9XwsPlOL+jLr85Z8aDyruvpWvLuGT+c38Go14Yd1D0Q
        VF8ATc5JP9Kl9Wr8qtDlFbmfvA4O1cT/Yrwkuk33HP4dOjfyol4rd6x3aDC8VWM3
        D7QKeOsFr2APRS+MNhc0fLyhwZG6J90oerJ3Cw50XIKc1/mFy4/qw+SRIpXjuTk+
        6/iniebPAgMBAAECggEAM6239X8vZ+juNqCae8eXOdxcafPGpICXxu3i7yiF+1Fg
        A/l3YBuzIO6YcLuMJIQfmQCZsKypAjyaoNAFk9aGcdUgE1O31S6rd6Rvle90e5R/
        VrgMvS5Vj75oAI5EZgHXuAQw+FwQHTi3JXmGpyXWRTsEIHBmzdSJzLItRE9gdZwG
        QpRLPfcGCcaRTeXtnFiYhCrOMJ+RaVXBX7waMIj+uZaWWZoOSS+YenVzKN7zJUzD
        K3JLpwTX3WSYNckPY4qjZpr8c3acforXjTAuGdlykMdyKJiVxFGL/qcmnWBYyzPy
        n+vIAuimiOamPsBv9d3y5vHQBnbQSJ6AJ1f0kH7kwQKBgQDnZH+AV85cSNpHBGD2
        LDkxz+wl3kjp1nRY3UNoU1P1mMNrLFRe9+z611MXZdaoeTWx0Ag+TSENkjQJA/9d
        4Lh6WtTRnSwjArzRPZr/992o5SptS8gukFrzjGpiNmU9HiVRg/wRZWYhR1RfN1Sb
        7I1Xa57Ua5qxPkSDzz2xfHIdcQKBgQDSuH4bPgYSaGdjJyd800rHGjaiRyYIf9I4
        BhHxkfNvrB6KFO793Prai3GHYuVeJvl4kAxyP5enurxczllxKvaaWIFpK6zWSBL3
        9Zn41JBPmVXURWRwJCXEQwx9bJ0c1/JWYIl01StIiwZADeoeP9ATZfDCvyFZlWDF
        0mHVXwsoPwKBgQCf6OEAZi4Tsrk+ePU1SyyfkwykwvBqwa0YOJk8ANI2GUN7zl/k
        XbwlQieHNPba6SFFZ/o6a/0art5NGLkjPIjg7eLDlbYJ3/tzMvrqSHakIPNoIwYN
        v+9K/tAKXYMrcKjjo63Qq92fw/a38roDI8AuGQ7jyBVYxip9WPxOqy0F0QKBgQCJ
        k3KiDqigNBHsJpAda0YTIAYzhQhL3Eg/05a7hXLOoi1+MZSnojMVpJ0Gq4bdJc0S
        7dlybhpxo/V/EipLPKWst8QmCiHZ9UyNH4jbcMyXa6Eh6fxdSvxtWuk4qkUZo9PQ
        mU6lPNf5kOsPvwXvofIT+CZsv6TifCimf2joihkauQKBgQC4lTIKFke0XZAzTVG6
        1YrJUWRc347TzzGwnTJZ5Ub0Pcg8NFDmoLc+t5WGvP9JDj7QxEmIU0d4O97rEErE
        zmaPaMNx3AEm0Xuqcr34dauJYn+KhVVhmL/gqFIhCk+GXMoJztdSHacAhZd1Baow
        y37Gw6Fm5UZy5SjX6r8W2DEFeA==
        -----END PRIVATE KEY-----
        """

    private static let otherPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCnnlvbdYv1jRd0
        LRyGxeiMa+YOZxIZaBFZwGp0hRc4jtBSQPSwWtL31frJp+a/Iu1ARxoYUHLctPCh
        me+AmLZ+jcgAeLXPop0/78fTu67w8HkFLuLuai6j9F2gzx5NIXA6BQXfDiZltezl
        ZpgXyiBwHr2r7EvEyKU9OP+yvyCXXNljmRl3gdHlda2RfkV4scY0dxvPxsZccMoM
        FgQK72PmzGY4Z+YzKuZUsbn/lPmD+zPONEA3Y1hkXat/a+DqwgDfDPXau3rx/OKY
        7ZoXN/R7K3EtwrRpKjNVm8kegGu0HV/Oc/6ik3Jxrr8M3clvA1lwhwqgDR8Dde5v
        J1sK1MmLAgMBAAECggEAOmku7X069qjiQXPu+vBAp556Hw6/+eaQFUy+TDiM7QKn
        ieJk4ofj+MWyjU9bU8QiFUIxz8NJI6xSJp50HcYZ4mQaDEAEa4Tpc3xlkF1ZC1Fh
        evLp1ddexXfEoONMVeiPKUjS0PYnX05UbWShH7kqMKglxKGljb+2BW21fV6pRtVd
        8kWOK52qYxxfWoX2mtEe64zzYS/o0gNfujqt/o7nk9t8B8I0q1e67DIK43L46u5U
        h5sH407EqyV67jpPd96qBUeZp+UaDPZO2sQ9nXr4Ob1wUJJF0qWcC+YWjalD7Gvj
        /+yPAyUhWz29LkA0ecljCaJwDAyfqXn9VnHpMy6GwQKBgQDRW4z8M3uqjBxO724k
        NzfN/g9PoVKOVJA60dvy/ac9hNFTK1+271CS6diyCxEByZyWEhUx+/+DvuZkWAtH
        aVWgz9c4jBALo+U0rABa8/bG1aIRg0MACwhNi+xTIrEiMjuIvGLilqg5czH7alPv
        bDDYXiBCr8b8RSMRKWXPcA6NGwKBgQDM9kZadLJxJJbWNGuhdcKWQeKkXTo+a8Xo
        Dhojx7TP7WnkRXrUVu0+i9wc2uoxdRqgRNX/nHS2Vk22caMHpaDQYMvM3yC1QDvS
        DXGxRlsZA24iX3qiLP8vgZuGiBBIqLDwpwiI+5Luj0Fqvp0Z55XDMiFDkpnOSnHn
        vLfugQSsUQKBgQCX7U8fiiDZP/ofEkOkhmm50/+6csCdRyKvfLGX4Zkm3KanK1e3
        Qm3/XzIA6mT6HhvDD/ZPoqbnLXa2JOpydS9NluaBQ6s1N0fS9GsBlf9khY2qFc5e
        TqNE2yCxqABRZ5CqhsNf2aLUphMEd0HYAnRj39KbckH9uhJbluYqJhB5NwKBgDhw
        AANcat5Y0uf82z5EbOZvEfdsbGNPzdkOOQhtL06p8ySWNTJPFVjJrjyL0zz3H/PN
        wJd3/3NN5Gw+ckPiyZtXbAbn0dvW6iH27b2AwAjtNuBkJiKN/V6Zc7fhs4ouWTqK
        5ADENTtXWw4Hmr7NVCHBpgMzVQLG4QKMpqEYCa9hAoGAFWTH2wrSu3h/8vyoQVWt
        2Z0+uUG3iuFSFv337nSjKlxuz71GNxCMIjNEq+Wozqp8LEc8/KXYzgdUGvQohkMv
        W8OOKTdsycLb+6m7z6GCNhRLbUjb8MXVOHklAHpq1GDOJwZ61EKh5PMcTQscEg8d
        7lFq2M59V1ZHniSESHAdUNc=
        -----END PRIVATE KEY-----
        """
}

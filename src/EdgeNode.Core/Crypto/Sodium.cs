using System.Runtime.InteropServices;

namespace EdgeNode.Core.Crypto;

/// <summary>The few libsodium functions EdgeNode needs, bound at build time (no runtime marshalling stubs).</summary>
internal static partial class Sodium
{
    // The soname Debian and Raspberry Pi OS ship in package libsodium23.
    internal const string Library = "libsodium.so.23";
    internal const string PackageHint = "libsodium23";

    [LibraryImport(Library, EntryPoint = "sodium_init")]
    internal static partial int Init();

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_seed_keypair")]
    internal static unsafe partial int Ed25519SeedKeypair(byte* publicKey, byte* secretKey, byte* seed);

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_detached")]
    internal static unsafe partial int Ed25519SignDetached(byte* signature, ulong* signatureLength, byte* message, ulong messageLength, byte* secretKey);

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_verify_detached")]
    internal static unsafe partial int Ed25519VerifyDetached(byte* signature, byte* message, ulong messageLength, byte* publicKey);

    [LibraryImport(Library, EntryPoint = "sodium_memzero")]
    internal static unsafe partial void MemZero(byte* buffer, nuint length);
}

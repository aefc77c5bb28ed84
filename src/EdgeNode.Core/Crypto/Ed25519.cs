using System.Security.Cryptography;

namespace EdgeNode.Core.Crypto;

/// <summary>Raised when the system libsodium cannot be loaded; its message says which package to install.</summary>
public sealed class SodiumUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Ed25519 keys and signatures through the system libsodium. A key is kept as its 32-byte seed, which is what
/// the store persists; the 64-byte expanded secret key lives only inside this object.
/// </summary>
public sealed unsafe class Ed25519KeyPair : IDisposable
{
    public const int SeedLength = 32;
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;
    private const int SecretKeyLength = 64;

    private readonly byte[] _secretKey = GC.AllocateArray<byte>(SecretKeyLength, pinned: true);
    private readonly byte[] _publicKey = new byte[PublicKeyLength];
    private bool _disposed;

    private Ed25519KeyPair(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        Ed25519.EnsureLoaded();
        fixed (byte* pk = _publicKey)
        fixed (byte* sk = _secretKey)
        fixed (byte* s = seed)
        {
            if (Sodium.Ed25519SeedKeypair(pk, sk, s) != 0)
                throw new CryptographicException("libsodium refused to derive an Ed25519 key pair.");
        }
    }

    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed) => new(seed);

    public static Ed25519KeyPair Generate(out byte[] seed)
    {
        seed = RandomNumberGenerator.GetBytes(SeedLength);
        return new Ed25519KeyPair(seed);
    }

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (signature.Length < SignatureLength)
            throw new ArgumentException($"The signature buffer needs {SignatureLength} bytes.", nameof(signature));
        fixed (byte* sig = signature)
        fixed (byte* msg = message)
        fixed (byte* sk = _secretKey)
        {
            if (Sodium.Ed25519SignDetached(sig, null, msg, (ulong)message.Length, sk) != 0)
                throw new CryptographicException("libsodium failed to sign.");
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[SignatureLength];
        Sign(message, signature);
        return signature;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        fixed (byte* sk = _secretKey) Sodium.MemZero(sk, SecretKeyLength);
    }
}

public static unsafe class Ed25519
{
    private static int s_loaded;

    /// <summary>Loads libsodium once; throws <see cref="SodiumUnavailableException"/> naming the package when it is missing.</summary>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref s_loaded) == 1) return;
        int rc;
        try
        {
            rc = Sodium.Init();
        }
        catch (DllNotFoundException e)
        {
            throw new SodiumUnavailableException(
                $"libsodium ({Sodium.Library}) is not installed; install the package '{Sodium.PackageHint}' (apt-get install {Sodium.PackageHint}).", e);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new SodiumUnavailableException(
                $"the installed libsodium lacks Ed25519 functions; install '{Sodium.PackageHint}' version 1.0.18 or newer.", e);
        }
        // 0: initialised now, 1: already initialised, -1: failure.
        if (rc < 0)
            throw new CryptographicException("libsodium failed to initialise.");
        Volatile.Write(ref s_loaded, 1);
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519KeyPair.PublicKeyLength || signature.Length != Ed25519KeyPair.SignatureLength)
            return false;
        EnsureLoaded();
        fixed (byte* pk = publicKey)
        fixed (byte* msg = message)
        fixed (byte* sig = signature)
            return Sodium.Ed25519VerifyDetached(sig, msg, (ulong)message.Length, pk) == 0;
    }
}

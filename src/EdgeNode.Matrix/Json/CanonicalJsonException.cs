namespace EdgeNode.Matrix.Json;

/// <summary>
/// The value cannot be written as Matrix canonical JSON (a fraction, an integer outside
/// [-(2^53)+1, 2^53-1], a duplicate key, or a string that is not valid Unicode).
/// Signing or hashing such a value would give bytes no other server could reproduce.
/// </summary>
public sealed class CanonicalJsonException(string message) : Exception(message);

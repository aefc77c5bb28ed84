namespace EdgeNode.Core.Storage;

/// <summary>The database cannot be used; the message says why and what to do, and the file was left as it was.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);

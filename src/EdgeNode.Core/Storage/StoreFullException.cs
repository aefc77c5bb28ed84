namespace EdgeNode.Core.Storage;

/// <summary>
/// A write failed because the data directory's file system is full (SQLITE_FULL); nothing of it was stored. Callers
/// refuse what asked for the write with their protocol's "try later" error; the store recovers by itself once a write
/// succeeds again.
/// </summary>
public sealed class StoreFullException(string message, Exception inner) : Exception(message, inner);

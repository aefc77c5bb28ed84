using System.Runtime.InteropServices;

namespace EdgeNode.Gpio.Uapi;

/// <summary>The C library calls the GPIO driver needs.</summary>
internal static unsafe partial class Libc
{
    public const int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;
    public const short POLLIN = 0x1;
    public const int EINTR = 4, EAGAIN = 11;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // ioctl is variadic in C; on Linux x86-64, arm64 and arm a pointer third argument travels like a fixed one.
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}

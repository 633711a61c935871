/* TEST ONLY, NEVER SHIPPED: Wine 8.0 (Debian 12) lacks ProcessPrng in
 * bcryptprimitives.dll, which Rust's standard library imports and which Windows 10 and 11
 * have. Built by packaging/windows/wine-check.sh and placed beside the installed anchi.exe
 * inside the throw-away Wine prefix, it gives the program the system's random bytes
 * (RtlGenRandom, which Wine has) so the real program can run under Wine in CI. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

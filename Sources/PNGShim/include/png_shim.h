#ifndef PNG_SHIM_H
#define PNG_SHIM_H
// PNG files through libpng, in a form Swift can call safely.
//
// libpng reports a failure (bad file, disk full, truncated data) by calling an error handler that
// must not return: by default it prints to stderr and jumps with longjmp back to a setjmp point the
// caller set up. Swift cannot set up such a point, and a longjmp across Swift frames is undefined
// behaviour. So each function here sets the jump point itself, turns any libpng error into an
// error code plus a message, and frees what it allocated. Nothing is printed; nothing aborts.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result codes (plain #defines so that Swift sees them as Int32, the functions' return type).
#define PNG_SHIM_OK 0
#define PNG_SHIM_ERR_OPEN 1      // the file could not be opened (errno's message in err)
#define PNG_SHIM_ERR_NOT_PNG 2   // the file does not start with the PNG signature
#define PNG_SHIM_ERR_LIBPNG 3    // libpng stopped: corrupt or truncated data, I/O error, bad header
#define PNG_SHIM_ERR_ARGUMENT 4  // bad arguments (channels not 1 or 3, zero size, NULL pointer)
#define PNG_SHIM_ERR_MEMORY 5    // out of memory
#define PNG_SHIM_ERR_TOO_LARGE 6  // the image needs more than PNG_SHIM_MAX_PIXEL_BYTES

/// The most pixel bytes the readers return (256 MiB: e.g. 9,000 x 9,000 RGB). A larger image is
/// refused with PNG_SHIM_ERR_TOO_LARGE before anything is allocated for it.
#define PNG_SHIM_MAX_PIXEL_BYTES 268435456

/// Writes an 8-bit PNG. `pixels` holds `height` rows of `width * channels` bytes, top row first,
/// channels interleaved (R G B R G B ... for 3). channels: 1 grey, 3 RGB.
/// Returns PNG_SHIM_OK, or an error code with a message in `err` (NUL-terminated, at most `errlen`
/// bytes). On error the file may exist partly written: the caller removes it.
int png_shim_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                   int channels, char *err, size_t errlen);

/// Reads a PNG into 8-bit grey (channels 1) or 8-bit RGB (channels 3). Other kinds are converted:
/// palette -> RGB, 1/2/4-bit grey -> 8-bit, 16-bit -> 8-bit, alpha (and a palette's tRNS
/// transparency) dropped. Ancillary chunks other than tRNS (text, gamma, ICC profile, ...) are
/// skipped unread.
/// On success `*pixels_out` is a malloc'd buffer of height * width * channels bytes, to be released
/// with png_shim_free. On error `*pixels_out` is NULL and `err` holds the message.
/// A header claiming more pixels than the file's size can hold compressed is a damaged file
/// (PNG_SHIM_ERR_LIBPNG); one needing more than PNG_SHIM_MAX_PIXEL_BYTES is PNG_SHIM_ERR_TOO_LARGE.
int png_shim_read(const char *path, uint8_t **pixels_out, uint32_t *width, uint32_t *height,
                  int *channels, char *err, size_t errlen);

/// Reads a PNG from the `size` bytes at `data` (a whole file's contents), as png_shim_read does.
int png_shim_read_memory(const uint8_t *data, size_t size, uint8_t **pixels_out, uint32_t *width,
                         uint32_t *height, int *channels, char *err, size_t errlen);

/// Frees a buffer returned by png_shim_read or png_shim_read_memory (NULL is fine).
void png_shim_free(uint8_t *pixels);

/// The version of libpng in use, e.g. 10639 for 1.6.39.
uint32_t png_shim_libpng_version(void);

#ifdef __cplusplus
}
#endif

#endif

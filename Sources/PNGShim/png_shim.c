// libpng behind setjmp: see png_shim.h for why.
//
// The pattern in both functions below:
//   1. create libpng's structs with our own error and warning handlers (never the defaults, which
//      print to stderr), passing a context that holds the caller's message buffer;
//   2. `if (setjmp(png_jmpbuf(png)))` marks the place libpng jumps back to on an error: that branch
//      frees everything and returns an error code;
//   3. do the work; any libpng failure lands in the branch from step 2.
// A local variable changed after setjmp and read after the jump must be `volatile`, or the compiler
// may keep it in a register the jump restores to an old value; the buffers and the error code in
// read_png are.

#include "png_shim.h"

#include <errno.h>
#include <inttypes.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// Shared by the error handler (as libpng's "error pointer") and the read/write callbacks (as its
// "io pointer"). A reader reads from `file`, or, when `file` is NULL, from the bytes in memory.
typedef struct {
  char *err;            // the caller's message buffer (may be NULL)
  size_t errlen;        // its size in bytes
  FILE *file;           // the open file, or NULL when reading from memory
  const uint8_t *data;  // reading from memory: the bytes,
  size_t size;          //   how many there are,
  size_t position;      //   and how many have been read
} shim_context;

static void set_message(char *err, size_t errlen, const char *message) {
  if (err != NULL && errlen > 0) snprintf(err, errlen, "%s", message);
}

// libpng calls this on a fatal error. It must not return: keep the message, jump back.
static void on_error(png_structp png, png_const_charp message) {
  shim_context *context = png_get_error_ptr(png);
  set_message(context->err, context->errlen, message);
  png_longjmp(png, 1);
}

// Warnings (an unknown chunk, a dubious gamma) do not stop reading or writing: stay silent.
static void on_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

// Up to `length` bytes from the file or the memory, into `out`; returns how many (fewer at the end).
static size_t source_read(shim_context *context, uint8_t *out, size_t length) {
  if (context->file != NULL) return fread(out, 1, length, context->file);
  const size_t left = context->size - context->position;
  const size_t n = length < left ? length : left;
  if (n > 0) memcpy(out, context->data + context->position, n);
  context->position += n;
  return n;
}

// Our own read callback, so that a short file gives "truncated" rather than libpng's "Read Error".
static void read_bytes(png_structp png, png_bytep data, size_t length) {
  shim_context *context = png_get_io_ptr(png);
  if (source_read(context, data, length) != length) {
    if (context->file == NULL || feof(context->file)) {
      png_error(png, "the file ends early (truncated PNG)");
    }
    png_error(png, strerror(errno));
  }
}

// Our own write callbacks, so that a full disk reports errno's message.
static void write_bytes(png_structp png, png_bytep data, size_t length) {
  shim_context *context = png_get_io_ptr(png);
  if (fwrite(data, 1, length, context->file) != length) png_error(png, strerror(errno));
}

static void flush_bytes(png_structp png) {
  shim_context *context = png_get_io_ptr(png);
  if (fflush(context->file) != 0) png_error(png, strerror(errno));
}

int png_shim_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                   int channels, char *err, size_t errlen) {
  if (path == NULL || pixels == NULL || (channels != 1 && channels != 3) || width == 0 ||
      height == 0) {
    set_message(err, errlen, "bad arguments: need a path, pixels, width and height >= 1, "
                             "and channels 1 (grey) or 3 (RGB)");
    return PNG_SHIM_ERR_ARGUMENT;
  }
  FILE *file = fopen(path, "wb");
  if (file == NULL) {
    set_message(err, errlen, strerror(errno));
    return PNG_SHIM_ERR_OPEN;
  }
  shim_context context = {err, errlen, file, NULL, 0, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
  png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    fclose(file);
    set_message(err, errlen, "out of memory creating the libpng writer");
    return PNG_SHIM_ERR_MEMORY;
  }
  // `png`, `info` and `file` are not changed after this point, so they need not be volatile.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return PNG_SHIM_ERR_LIBPNG;
  }
  png_set_write_fn(png, &context, write_bytes, flush_bytes);
  png_set_IHDR(png, info, width, height, 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const size_t stride = (size_t)width * (size_t)channels;  // bytes per row
  for (uint32_t y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * stride);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  // fclose writes what is still buffered: on a full disk, this is where the failure shows.
  if (fclose(file) != 0) {
    set_message(err, errlen, strerror(errno));
    return PNG_SHIM_ERR_LIBPNG;
  }
  return PNG_SHIM_OK;
}

// The reading shared by png_shim_read and png_shim_read_memory. `input_size` is the number of
// bytes in the file (or memory), used to reject headers that promise more pixels than fit in it.
static int read_png(shim_context *context, uint64_t input_size, uint8_t **pixels_out,
                    uint32_t *width, uint32_t *height, int *channels) {
  char *err = context->err;
  const size_t errlen = context->errlen;
  // Every PNG starts with the same 8 bytes; check them before handing the data to libpng.
  png_byte signature[8];
  const size_t got = source_read(context, signature, sizeof signature);
  if (got < sizeof signature && context->file != NULL && ferror(context->file)) {
    set_message(err, errlen, strerror(errno));  // e.g. the path is a folder
    return PNG_SHIM_ERR_OPEN;
  }
  if (got < sizeof signature || png_sig_cmp(signature, 0, sizeof signature) != 0) {
    set_message(err, errlen, got < sizeof signature
                                 ? "not a PNG file (shorter than the 8-byte PNG signature)"
                                 : "not a PNG file (it does not start with the PNG signature)");
    return PNG_SHIM_ERR_NOT_PNG;
  }
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, context, on_error, on_warning);
  png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    set_message(err, errlen, "out of memory creating the libpng reader");
    return PNG_SHIM_ERR_MEMORY;
  }
  // Allocated or changed after setjmp, so volatile: the error branch must see their current values.
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  volatile int failure = PNG_SHIM_ERR_LIBPNG;
  if (setjmp(png_jmpbuf(png))) {
    free(rows);
    free(pixels);
    png_destroy_read_struct(&png, &info, NULL);
    return failure;
  }
  png_set_read_fn(png, context, read_bytes);
  png_set_sig_bytes(png, sizeof signature);  // we already read the signature
  // Skip every ancillary chunk but tRNS (the one the conversions below use) without parsing it:
  // text, colour profiles and the like are never used here, and libpng, in release builds, only
  // warns about a chunk longer than its 8 MB limit and then allocates it. (Fuzzing found a 214-byte
  // file whose sCAL chunk claimed 2 GB, and got 2 GB allocated.)
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
  png_read_info(png, info);

  // A header is 33 bytes and may claim up to 2^31 x 2^31 pixels; before allocating anything for
  // them, check that the compressed image data could fit in the input at all. Unfiltered, the
  // image is at least height rows of (1 filter byte + width * bits per pixel / 8 bytes), interlaced
  // or not, and deflate compresses at most 1032:1 (2 bits for a 258-byte match).
  char text[300];
  const uint32_t file_width = png_get_image_width(png, info);
  const uint32_t file_height = png_get_image_height(png, info);
  const uint64_t bits_per_pixel =
      (uint64_t)png_get_bit_depth(png, info) * (uint64_t)png_get_channels(png, info);
  const uint64_t min_row = 1 + (uint64_t)file_width * bits_per_pixel / 8;
  if (input_size <= UINT64_MAX / 1032 && file_height > input_size * 1032 / min_row) {
    snprintf(text, sizeof text,
             "the header claims %" PRIu32 "x%" PRIu32 " pixels, whose image data cannot fit "
             "in %" PRIu64 " bytes even at zlib's best compression (1032:1): the file is "
             "truncated or its header is damaged",
             file_width, file_height, input_size);
    png_error(png, text);
  }

  // Ask libpng to convert whatever the file holds into 8-bit grey or 8-bit RGB.
  const png_byte color_type = png_get_color_type(png, info);
  const png_byte bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_scale_16(png);
  // A palette's tRNS chunk becomes an alpha channel when the palette is expanded: strip that too.
  if ((color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS)) {
    png_set_strip_alpha(png);
  }
  png_set_interlace_handling(png);  // de-interlace Adam7 files
  png_read_update_info(png, info);

  const uint32_t w = png_get_image_width(png, info);
  const uint32_t h = png_get_image_height(png, info);
  const int c = png_get_channels(png, info);
  const size_t stride = png_get_rowbytes(png, info);
  if ((c != 1 && c != 3) || stride != (size_t)w * (size_t)c) {
    png_error(png, "unexpected pixel layout after conversion to 8-bit grey or RGB");
  }
  if (h == 0 || stride == 0 || h > SIZE_MAX / stride) png_error(png, "image size out of range");
  if (h > PNG_SHIM_MAX_PIXEL_BYTES / stride) {
    snprintf(text, sizeof text,
             "%" PRIu32 "x%" PRIu32 " pixels with %d channel%s need %.0f MiB, more than the "
             "%d MiB this reader accepts",
             w, h, c, c == 1 ? "" : "s", (double)stride * (double)h / 1048576.0,
             PNG_SHIM_MAX_PIXEL_BYTES / 1048576);
    failure = PNG_SHIM_ERR_TOO_LARGE;
    png_error(png, text);
  }
  pixels = malloc(stride * h);
  rows = malloc(sizeof(png_bytep) * h);
  if (pixels == NULL || rows == NULL) png_error(png, "out of memory for the pixels");
  for (uint32_t y = 0; y < h; y++) rows[y] = pixels + (size_t)y * stride;
  png_read_image(png, rows);
  png_read_end(png, NULL);  // reads (and checks) the chunks after the pixels, up to IEND

  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  *pixels_out = pixels;
  *width = w;
  *height = h;
  *channels = c;
  return PNG_SHIM_OK;
}

int png_shim_read(const char *path, uint8_t **pixels_out, uint32_t *width, uint32_t *height,
                  int *channels, char *err, size_t errlen) {
  if (path == NULL || pixels_out == NULL || width == NULL || height == NULL || channels == NULL) {
    set_message(err, errlen, "bad arguments: NULL pointer");
    return PNG_SHIM_ERR_ARGUMENT;
  }
  *pixels_out = NULL;
  *width = 0;
  *height = 0;
  *channels = 0;
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    set_message(err, errlen, strerror(errno));
    return PNG_SHIM_ERR_OPEN;
  }
  // The file's size bounds the pixels its header can honestly claim. (A folder or a pipe has no
  // meaningful size: then the read itself fails, or the bound is the largest one.)
  struct stat status;
  const uint64_t size = fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode)
                            ? (uint64_t)status.st_size
                            : UINT64_MAX;
  shim_context context = {err, errlen, file, NULL, 0, 0};
  const int result = read_png(&context, size, pixels_out, width, height, channels);
  fclose(file);
  return result;
}

int png_shim_read_memory(const uint8_t *data, size_t size, uint8_t **pixels_out, uint32_t *width,
                         uint32_t *height, int *channels, char *err, size_t errlen) {
  if ((data == NULL && size > 0) || pixels_out == NULL || width == NULL || height == NULL ||
      channels == NULL) {
    set_message(err, errlen, "bad arguments: NULL pointer");
    return PNG_SHIM_ERR_ARGUMENT;
  }
  *pixels_out = NULL;
  *width = 0;
  *height = 0;
  *channels = 0;
  shim_context context = {err, errlen, NULL, data, size, 0};
  return read_png(&context, size, pixels_out, width, height, channels);
}

void png_shim_free(uint8_t *pixels) { free(pixels); }

uint32_t png_shim_libpng_version(void) { return (uint32_t)png_access_version_number(); }

#include "fluid_png.h"
#include <stdint.h>

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where libpng's error messages go before the jump back to our setjmp. */
typedef struct error_sink {
    char *message;
    size_t capacity;
    /* The decoder's status, volatile there so that it survives the longjmp; NULL when encoding. */
    volatile int *status;
    uint32_t max_chunk_bytes;
} error_sink;

static void record_error(png_structp png, png_const_charp text) {
    error_sink *sink = (error_sink *)png_get_error_ptr(png);
    if (sink != NULL && sink->capacity > 0) {
        snprintf(sink->message, sink->capacity, "%s", text != NULL ? text : "unknown libpng error");
    }
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/* libpng reports a chunk longer than its chunk malloc max as a benign error, which on reading is
   only a warning, and then allocates the chunk anyway: that one is an error here. The framing
   check below catches such chunks first; this is the net behind it. Other warnings (a bad sRGB
   profile, too many text chunks) leave the image decodable and are ignored. */
static void fail_on_oversized_chunk(png_structp png, png_const_charp text) {
    if (text == NULL || strstr(text, "chunk data is too large") == NULL) {
        return;
    }
    error_sink *sink = (error_sink *)png_get_error_ptr(png);
    if (sink != NULL) {
        if (sink->capacity > 0) {
            snprintf(sink->message, sink->capacity, "a chunk holds more than %u bytes (libpng: %s)",
                     (unsigned)sink->max_chunk_bytes, text);
        }
        if (sink->status != NULL) {
            *sink->status = FLUID_PNG_CHUNK_TOO_LARGE;
        }
    }
    png_longjmp(png, 1);
}

static void set_message(char *message, size_t capacity, const char *text) {
    if (capacity > 0) {
        snprintf(message, capacity, "%s", text);
    }
}

/* ---- Decoding ---------------------------------------------------------------------------- */

typedef struct memory_source {
    const uint8_t *data;
    size_t size;
    size_t offset;
} memory_source;

static void read_from_memory(png_structp png, png_bytep destination, size_t length) {
    memory_source *source = (memory_source *)png_get_io_ptr(png);
    if (length > source->size - source->offset) {
        png_error(png, "the file ends before the image data is complete (truncated file)");
    }
    memcpy(destination, source->data + source->offset, length);
    source->offset += length;
}

static uint32_t big_endian32(const uint8_t *bytes) {
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
}

/* Walks the chunk framing (length, type, data, CRC) up to IEND before libpng reads anything.
   libpng allocates (and zeroes) a chunk's buffer from its length field before it reads the data,
   so a 40-byte file whose tEXt chunk claims 2 GiB would otherwise cost 2 GiB. Every length must
   fit in the bytes that follow; every chunk but IDAT (the image data, bounded by the pixel
   limits instead) must be within max_chunk. CRCs and chunk order are left to libpng. */
static int check_chunk_framing(const uint8_t *data, size_t size, uint32_t max_chunk,
                               char *message, size_t message_capacity) {
    size_t offset = 8;
    while (offset < size) {
        if (size - offset < 12) {
            snprintf(message, message_capacity, "the file ends inside the chunk at byte %zu, %zu bytes short of a chunk's length, type and CRC (truncated file)",
                     offset, 12 - (size - offset));
            return FLUID_PNG_INVALID;
        }
        uint32_t length = big_endian32(data + offset);
        char type[5];
        for (int i = 0; i < 4; i++) {
            uint8_t c = data[offset + 4 + i];
            type[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? (char)c : '?';
        }
        type[4] = 0;
        size_t follows = size - offset - 8;   /* data and CRC */
        if (length > 0x7fffffffU) {
            snprintf(message, message_capacity, "the %s chunk at byte %zu claims %u bytes, more than the 2^31 - 1 PNG allows (corrupt file)",
                     type, offset, (unsigned)length);
            return FLUID_PNG_INVALID;
        }
        if (length > follows - 4) {
            snprintf(message, message_capacity, "the %s chunk at byte %zu claims %u bytes, but only %zu bytes follow its length and type (truncated or corrupt file)",
                     type, offset, (unsigned)length, follows);
            return FLUID_PNG_INVALID;
        }
        if (length > max_chunk && memcmp(type, "IDAT", 4) != 0) {
            snprintf(message, message_capacity, "its %s chunk at byte %zu holds %u bytes", type, offset, (unsigned)length);
            return FLUID_PNG_CHUNK_TOO_LARGE;
        }
        if (memcmp(type, "IEND", 4) == 0) {
            break;
        }
        offset += 12 + (size_t)length;
    }
    return FLUID_PNG_OK;
}

/* At most this many text, sPLT and unknown chunks are kept (libpng's own default); later ones
   are skipped, so many small chunks cannot add up to a large allocation either. */
enum { CHUNK_CACHE_MAX = 1000 };

int fluid_png_decode(const uint8_t *data, size_t size, const fluid_png_limits *limits,
                     fluid_png_image *image, char *message, size_t message_capacity) {
    memset(image, 0, sizeof(*image));
    if (size == 0) {
        set_message(message, message_capacity, "the file is empty");
        return FLUID_PNG_NOT_PNG;
    }
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        set_message(message, message_capacity, "the file does not start with the 8-byte PNG signature");
        return FLUID_PNG_NOT_PNG;
    }

    int framing = check_chunk_framing(data, size, limits->max_chunk_bytes, message, message_capacity);
    if (framing != FLUID_PNG_OK) {
        return framing;
    }

    volatile int status = FLUID_PNG_INVALID;
    error_sink sink = {message, message_capacity, &status, limits->max_chunk_bytes};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &sink, record_error, fail_on_oversized_chunk);
    if (png == NULL) {
        set_message(message, message_capacity, "libpng could not allocate its reader");
        return FLUID_PNG_OUT_OF_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        set_message(message, message_capacity, "libpng could not allocate its reader");
        return FLUID_PNG_OUT_OF_MEMORY;
    }

    memory_source source = {data, size, 0};
    uint8_t *volatile samples = NULL;
    png_bytep *volatile rows = NULL;

    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(samples);
        png_destroy_read_struct(&png, &info, NULL);
        return status;
    }

    /* Our own limit is checked below with a clearer message; lift libpng's (1,000,000). */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    /* 0 would mean "no limit" to libpng. */
    png_set_chunk_malloc_max(png, limits->max_chunk_bytes > 0 ? limits->max_chunk_bytes : 1);
    png_set_chunk_cache_max(png, CHUNK_CACHE_MAX);
    png_set_read_fn(png, &source, read_from_memory);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    image->width = width;
    image->height = height;
    image->source_bit_depth = bit_depth;
    image->source_color_type = color_type;
    image->interlaced = interlace != PNG_INTERLACE_NONE;
    /* Each side and the whole image within the limits: a 16384 x 16384 RGBA claim would
       otherwise allocate a gibibyte before decoding. */
    if (width > limits->max_side || height > limits->max_side || (uint64_t)width * height > limits->max_pixels) {
        snprintf(message, message_capacity, "the header claims %u x %u pixels, more than the limit of %u a side and %llu in all",
                 (unsigned)width, (unsigned)height, (unsigned)limits->max_side, (unsigned long long)limits->max_pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return FLUID_PNG_TOO_LARGE;
    }

    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (bit_depth == 16) {
        png_set_strip_16(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || png_get_bit_depth(png, info) != 8 ||
        row_bytes != (size_t)width * (size_t)channels) {
        png_error(png, "libpng did not produce 8-bit samples as requested");
    }

    /* The output's size is known only now that the expansions (palette to RGB, ...) are set. */
    uint64_t decoded_bytes = (uint64_t)row_bytes * height;
    if (decoded_bytes > limits->max_decoded_bytes) {
        image->decoded_bytes = decoded_bytes;
        snprintf(message, message_capacity, "its %u x %u pixels of %d channels decode to %llu bytes",
                 (unsigned)width, (unsigned)height, channels, (unsigned long long)decoded_bytes);
        png_destroy_read_struct(&png, &info, NULL);
        return FLUID_PNG_DECODED_TOO_LARGE;
    }

    status = FLUID_PNG_OUT_OF_MEMORY;
    if (row_bytes > (SIZE_MAX - 1) / (size_t)height) {
        png_error(png, "the image is too large to decode");
    }
    samples = (uint8_t *)malloc(row_bytes * (size_t)height + 1);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * ((size_t)height + 1));
    if (samples == NULL || rows == NULL) {
        png_error(png, "not enough memory for the decoded image");
    }
    status = FLUID_PNG_INVALID;
    for (png_uint_32 y = 0; y < height; y++) {
        rows[y] = samples + (size_t)y * row_bytes;
    }
    png_read_image(png, rows);
    png_read_end(png, NULL);

    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    image->samples = samples;
    image->channels = channels;
    return FLUID_PNG_OK;
}

void fluid_png_image_free(fluid_png_image *image) {
    free(image->samples);
    image->samples = NULL;
}

/* ---- Encoding ---------------------------------------------------------------------------- */

typedef struct memory_sink {
    uint8_t *data;
    size_t size;
    size_t capacity;
} memory_sink;

static void write_to_memory(png_structp png, png_bytep bytes, size_t length) {
    memory_sink *sink = (memory_sink *)png_get_io_ptr(png);
    if (length > sink->capacity - sink->size) {
        size_t capacity = sink->capacity > 0 ? sink->capacity : 4096;
        while (length > capacity - sink->size) {
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(sink->data, capacity);
        if (grown == NULL) {
            png_error(png, "not enough memory for the encoded PNG");
        }
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
}

static void flush_nothing(png_structp png) {
    (void)png;
}

/* The encoder behind the public entry points: 8-bit samples, `channels` per pixel of
   `color_type`, so gray and RGB share one longjmp-safe path. */
static int encode8(const uint8_t *pixels, uint32_t width, uint32_t height, int color_type, size_t channels,
                   uint8_t **png_bytes, size_t *png_size, char *message, size_t message_capacity) {
    *png_bytes = NULL;
    *png_size = 0;
    if (width == 0 || height == 0) {
        set_message(message, message_capacity, "an image needs at least one pixel");
        return FLUID_PNG_INVALID;
    }
    if (pixels == NULL) {
        set_message(message, message_capacity, "no pixels were given");
        return FLUID_PNG_INVALID;
    }
    const size_t row_bytes = (size_t)width * channels;
    error_sink errors = {message, message_capacity, NULL, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, record_error, ignore_warning);
    if (png == NULL) {
        set_message(message, message_capacity, "libpng could not allocate its writer");
        return FLUID_PNG_OUT_OF_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        set_message(message, message_capacity, "libpng could not allocate its writer");
        return FLUID_PNG_OUT_OF_MEMORY;
    }
    /* On the heap: the buffer it tracks changes between setjmp and a longjmp, and a local's
       value is indeterminate after one. */
    memory_sink *sink = (memory_sink *)calloc(1, sizeof(memory_sink));
    if (sink == NULL) {
        png_destroy_write_struct(&png, &info);
        set_message(message, message_capacity, "not enough memory for the PNG writer");
        return FLUID_PNG_OUT_OF_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(sink->data);
        free(sink);
        png_destroy_write_struct(&png, &info);
        return FLUID_PNG_INVALID;
    }
    png_set_write_fn(png, sink, write_to_memory, flush_nothing);
    png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);

    *png_bytes = sink->data;
    *png_size = sink->size;
    free(sink);
    return FLUID_PNG_OK;
}

int fluid_png_encode_gray8(const uint8_t *pixels, uint32_t width, uint32_t height,
                           uint8_t **png_bytes, size_t *png_size, char *message, size_t message_capacity) {
    return encode8(pixels, width, height, PNG_COLOR_TYPE_GRAY, 1, png_bytes, png_size, message, message_capacity);
}

int fluid_png_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint8_t **png_bytes, size_t *png_size, char *message, size_t message_capacity) {
    return encode8(pixels, width, height, PNG_COLOR_TYPE_RGB, 3, png_bytes, png_size, message, message_capacity);
}

void fluid_png_buffer_free(uint8_t *buffer) {
    free(buffer);
}

#ifndef FLUID_PNG_H
#define FLUID_PNG_H

/*
 * A small C layer over libpng for SwiftFluid.
 *
 * libpng reports errors by longjmp. That jump must never cross Swift frames, so every call
 * into libpng happens inside the functions below, each of which sets its own jump target and
 * returns a status code and a message instead.
 */

#include <stddef.h>
#include <stdint.h>

/** Status codes of the functions below. */
enum {
    FLUID_PNG_OK = 0,
    /** libpng refused the data (bad CRC, truncated, corrupt stream, ...); see the message. */
    FLUID_PNG_INVALID = 1,
    /** The 8-byte PNG signature is missing. */
    FLUID_PNG_NOT_PNG = 2,
    /** The header claims a width or height above the caller's limit; nothing was allocated. */
    FLUID_PNG_TOO_LARGE = 3,
    /** malloc failed. */
    FLUID_PNG_OUT_OF_MEMORY = 4,
    /** A chunk other than IDAT is longer than `max_chunk_bytes`, or compressed text inflates
        beyond it; the message names the chunk. Nothing was allocated for it. */
    FLUID_PNG_CHUNK_TOO_LARGE = 5,
    /** The decoded samples (width * height * channels) would exceed `max_decoded_bytes`. */
    FLUID_PNG_DECODED_TOO_LARGE = 6
};

/** What the decoder may allocate, all checked before allocating (SwiftFluid passes FluidLimits). */
typedef struct fluid_png_limits {
    /** Largest width or height. */
    uint32_t max_side;
    /** Largest width * height. */
    uint64_t max_pixels;
    /** Largest width * height * channels of the 8-bit output. */
    uint64_t max_decoded_bytes;
    /** Largest chunk other than IDAT, and largest decompressed zTXt/iTXt/iCCP (libpng's chunk malloc max). */
    uint32_t max_chunk_bytes;
} fluid_png_limits;

/** A decoded image: 8-bit samples, `channels` per pixel, rows top to bottom, no padding. */
typedef struct fluid_png_image {
    /** width * height * channels bytes; release with fluid_png_image_free. */
    uint8_t *samples;
    uint32_t width;
    uint32_t height;
    /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palettes become RGB, or RGBA when they have a tRNS chunk;
        the tRNS key of gray and RGB images is ignored). */
    int channels;
    /** The file's bit depth (1, 2, 4, 8 or 16) and PNG colour type (0, 2, 3, 4 or 6). */
    int source_bit_depth;
    int source_color_type;
    /** 1 when the file is Adam7-interlaced. */
    int interlaced;
    /** For FLUID_PNG_DECODED_TOO_LARGE: the bytes the samples would take. */
    uint64_t decoded_bytes;
} fluid_png_image;

/**
 * Decodes a PNG held in memory to 8-bit samples.
 *
 * Gray images of 1, 2 or 4 bits are scaled to 8 bits (v * 255 / (2^bits - 1)); 16-bit samples
 * keep their high byte (v >> 8); palettes become RGB (RGBA with tRNS).
 *
 * Before libpng sees the data, the chunk framing is walked: a chunk whose length runs past the
 * end of the file is FLUID_PNG_INVALID, and one other than IDAT longer than
 * `limits->max_chunk_bytes` is FLUID_PNG_CHUNK_TOO_LARGE, so libpng never allocates for a
 * length field. A header beyond `max_side` or `max_pixels` gives FLUID_PNG_TOO_LARGE and
 * samples beyond `max_decoded_bytes` FLUID_PNG_DECODED_TOO_LARGE, before any pixel buffer is
 * allocated (width and height are still filled in). libpng's "chunk data is too large"
 * warning is an error here. On failure `message` holds a sentence fragment saying what is wrong.
 */
int fluid_png_decode(const uint8_t *data, size_t size, const fluid_png_limits *limits,
                     fluid_png_image *image, char *message, size_t message_capacity);

void fluid_png_image_free(fluid_png_image *image);

/**
 * Encodes 8-bit gray pixels (width * height bytes, rows top to bottom) as a PNG in memory.
 * On success `*png` holds `*png_size` bytes; release them with fluid_png_buffer_free.
 */
int fluid_png_encode_gray8(const uint8_t *pixels, uint32_t width, uint32_t height,
                           uint8_t **png, size_t *png_size, char *message, size_t message_capacity);

/**
 * Encodes 8-bit RGB pixels (width * height * 3 bytes, R G B per pixel, rows top to bottom) as
 * a PNG in memory, as fluid_png_encode_gray8 does.
 */
int fluid_png_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint8_t **png, size_t *png_size, char *message, size_t message_capacity);

void fluid_png_buffer_free(uint8_t *buffer);

#endif

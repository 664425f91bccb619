/*
 * One COM2 frame line (docs/protocol-frames.md):
 *   KTSTR_FRAME 1 <TYPE> <len> <crc32> <base64>\n
 * TYPE is 4 upper-case letters, len the raw payload's byte count, crc32 the
 * zlib CRC-32 of the raw payload as 8 lower-case hex digits.
 */
#ifndef KTSTR_GUEST_FRAME_H
#define KTSTR_GUEST_FRAME_H

#include <stddef.h>

#define KTSTR_FRAME_TAG "KTSTR_FRAME"
#define KTSTR_FRAME_VERSION 1
/* The host refuses a frame announcing more raw payload bytes than this. */
#define KTSTR_FRAME_MAX_LEN (8u << 20)

/**
 * @brief Build the frame line for @p len payload bytes of type @p type
 *        (exactly 4 characters, 'A'..'Z'), newline included.
 * @return 0 (*line malloc'd, NUL-terminated, *linelen without the NUL),
 *         -EINVAL for a bad type, -ENOMEM.
 */
int ktstr_frame__encode(const char type[4], const void *payload, size_t len, char **line,
			size_t *linelen);

#endif

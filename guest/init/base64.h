/* Standard base64 (RFC 4648 section 4, with '=' padding) for COM2 frames. */
#ifndef KTSTR_GUEST_BASE64_H
#define KTSTR_GUEST_BASE64_H

#include <stddef.h>

/** @brief Characters ktstr_base64__encode() writes for @p n input bytes (no NUL). */
size_t ktstr_base64__encoded_len(size_t n);

/**
 * @brief Encode @p n bytes of @p in into @p out, which must hold
 *        ktstr_base64__encoded_len(n) bytes; no NUL is written.
 * @return the number of characters written.
 */
size_t ktstr_base64__encode(const void *in, size_t n, char *out);

#endif

/* Diagnostics for humans: one line on stderr (COM1, the console, in the VM). */
#ifndef KTSTR_GUEST_DIAG_H
#define KTSTR_GUEST_DIAG_H

/** @brief Write "ktstr-init: <msg>\n" to stderr with a single write(). */
void ktstr_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/*
 * PID 1 must never hang and never exit (the kernel would panic without a
 * verdict): a watchdog, handlers for fatal signals, and the power-off path.
 */
#ifndef KTSTR_GUEST_GUARD_H
#define KTSTR_GUEST_GUARD_H

/**
 * @brief Install SIGALRM (watchdog) and SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT
 *        handlers. Each writes "KTSTR_INIT_FAILED: watchdog" or
 *        "KTSTR_INIT_FAILED: fatal signal N", then "KTSTR_EXIT=1", to
 *        @p com2_fd and powers off. In a forked child they restore the
 *        default action instead.
 */
void ktstr_guard__install(int com2_fd);

/** @brief (Re)arm the watchdog to fire in @p seconds. */
void ktstr_guard__arm(unsigned seconds);

/** @brief Drain @p com2_fd (if >= 0), sync, reboot(RB_AUTOBOOT). Never returns. */
__attribute__((noreturn)) void ktstr_guard__poweroff(int com2_fd);

#endif

/* Ctrl-C, SIGTERM and SIGHUP cancel the plugins' work (`ktstr kernel ...`). */
#ifndef KTSTR_CLI_CANCEL_H
#define KTSTR_CLI_CANCEL_H

/** @brief From now on these signals call ktstr_registry__cancel(). */
void kcli__catch_cancel(void);

#endif

/* The ktstr subcommands. Each takes argv with argv[0] = its own name, returns the exit status. */
#ifndef KTSTR_CLI_COMMANDS_H
#define KTSTR_CLI_COMMANDS_H

int ktstr_cmd_run(int argc, char **argv);
int ktstr_cmd_plugin(int argc, char **argv);
int ktstr_cmd_topo(int argc, char **argv);
int ktstr_cmd_kernel(int argc, char **argv);
int ktstr_cmd_kernel_list(int argc, char **argv);
int ktstr_cmd_kernel_fetch(int argc, char **argv);
int ktstr_cmd_kernel_build(int argc, char **argv);
int ktstr_cmd_kernel_clean(int argc, char **argv);

#endif

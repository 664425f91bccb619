/*
 * PID 1 of the QEMU boot test guest (static). The kernel hands it the
 * command line's ktstr_boot=<mode> as an environment variable:
 *   hello (default)  write KTSTR-BOOT-OK to COM2, then reboot (QEMU exits)
 *   hang             write KTSTR-BOOT-HANG to COM2, then sleep forever
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

static void say(int fd, const char *s)
{
	if (fd >= 0 && write(fd, s, strlen(s)) > 0) {
		tcdrain(fd); /* out of the UART before the VM goes away */
	}
}

int main(void)
{
	const char *mode = getenv("ktstr_boot");
	int fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);

	if (mode != NULL && strcmp(mode, "hang") == 0) {
		say(fd, "KTSTR-BOOT-HANG\n");
		for (;;) {
			pause();
		}
	}
	say(fd, "KTSTR-BOOT-OK\n");
	reboot(RB_AUTOBOOT);
	return 1;
}

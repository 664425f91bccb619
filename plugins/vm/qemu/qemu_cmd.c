#include "qemu_cmd.h"

#include <errno.h>
#include <stdio.h>

const char *ktstr_qemu_cmd__default_cpu(enum ktstr_accel accel)
{
	/*
	 * Under TCG: Nehalem is x86-64-v2 (SSE4.2, POPCNT), Intel (the guest
	 * reads its topology from CPUID leaves 4 and 0xB) and asks for nothing
	 * TCG lacks. qemu64 and max are AMD-flavoured (QEMU warns on SMT),
	 * Skylake models ask for pcid/x2apic/tsc-deadline, which TCG drops
	 * with a warning per vCPU. Boot times are within noise of each other.
	 */
	return accel == KTSTR_ACCEL_KVM ? "host" : "Nehalem";
}

int ktstr_qemu_topo__check(const struct ktstr_topo *t, char *err, size_t errlen)
{
	uint64_t vcpus;

	if (t->numa_nodes == 0 || t->llcs == 0 || t->cores == 0 || t->threads == 0) {
		snprintf(err, errlen, "topology %un%ul%uc%ut: every count must be at least 1",
			 t->numa_nodes, t->llcs, t->cores, t->threads);
		return -EINVAL;
	}
	if (t->llcs % t->numa_nodes != 0) {
		snprintf(err, errlen,
			 "topology %un%ul%uc%ut: %u LLCs cannot be split evenly over %u NUMA nodes",
			 t->numa_nodes, t->llcs, t->cores, t->threads, t->llcs, t->numa_nodes);
		return -EINVAL;
	}
	vcpus = (uint64_t)t->llcs * t->cores * t->threads;
	if (vcpus > KTSTR_QEMU_MAX_VCPUS) {
		snprintf(err, errlen,
			 "topology %un%ul%uc%ut: %llu vCPUs is more than the limit of %u",
			 t->numa_nodes, t->llcs, t->cores, t->threads, (unsigned long long)vcpus,
			 KTSTR_QEMU_MAX_VCPUS);
		return -EINVAL;
	}
	return 0;
}

uint64_t ktstr_qemu_numa__total_mb(const struct ktstr_topo *t, uint32_t memory_mb)
{
	uint64_t nodes = t->numa_nodes ? t->numa_nodes : 1;

	return (memory_mb + nodes - 1) / nodes * nodes;
}

void ktstr_qemu_numa__node(const struct ktstr_topo *t, uint32_t memory_mb, uint32_t i,
			   struct ktstr_qemu_node *out)
{
	uint32_t cpus_per_node = t->llcs / t->numa_nodes * t->cores * t->threads;

	out->first_cpu = i * cpus_per_node;
	out->last_cpu = out->first_cpu + cpus_per_node - 1;
	out->memory_mb = ktstr_qemu_numa__total_mb(t, memory_mb) / t->numa_nodes;
}

static int cmd__numa(const struct ktstr_vm_spec *spec, struct ktstr_argv *a)
{
	const struct ktstr_topo *t = &spec->topo;
	int rc = 0;

	/* One node needs no -numa: the guest then has a single node anyway. */
	for (uint32_t i = 0; t->numa_nodes > 1 && i < t->numa_nodes && rc == 0; i++) {
		struct ktstr_qemu_node n;

		ktstr_qemu_numa__node(t, spec->memory_mb, i, &n);
		rc = ktstr_argv__push(a, "-object");
		rc = rc
			 ?: ktstr_argv__pushf(a, "memory-backend-ram,id=m%u,size=%lluM", i,
					      (unsigned long long)n.memory_mb);
		rc = rc ?: ktstr_argv__push(a, "-numa");
		rc = rc
			 ?: ktstr_argv__pushf(a, "node,nodeid=%u,cpus=%u-%u,memdev=m%u", i,
					      n.first_cpu, n.last_cpu, i);
	}
	return rc;
}

static int cmd__check_spec(const struct ktstr_vm_spec *spec, char *err, size_t errlen)
{
	static const char *const names[] = {"kernel_image", "initramfs", "console_path",
					    "protocol_path"};
	const char *paths[] = {spec->kernel_image, spec->initramfs, spec->console_path,
			       spec->protocol_path};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (paths[i] == NULL || paths[i][0] == '\0') {
			snprintf(err, errlen, "vm spec: %s is not set", names[i]);
			return -EINVAL;
		}
	}
	/* an empty command line is valid, a missing one is a caller bug */
	if (spec->cmdline == NULL) {
		snprintf(err, errlen, "vm spec: cmdline is not set");
		return -EINVAL;
	}
	if (spec->memory_mb == 0) {
		snprintf(err, errlen, "vm spec: memory_mb is 0; the planner must size the guest");
		return -EINVAL;
	}
	return ktstr_qemu_topo__check(&spec->topo, err, errlen);
}

int ktstr_qemu_cmd__build(const struct ktstr_qemu_cfg *cfg, const struct ktstr_vm_spec *spec,
			  struct ktstr_argv *out, char *err, size_t errlen)
{
	const struct ktstr_topo *t = &spec->topo;
	int rc;

	rc = cmd__check_spec(spec, err, errlen);
	if (rc < 0) {
		return rc;
	}
	/* QEMU 7.2 shares the L3 per socket, so one socket per LLC. */
	rc = ktstr_argv__push(out, cfg->binary);
	rc = rc ?: ktstr_argv__push(out, "-M");
	rc = rc ?: ktstr_argv__push(out, cfg->machine);
	rc = rc ?: ktstr_argv__push(out, "-accel");
	if (cfg->accel == KTSTR_ACCEL_KVM || cfg->tcg_thread == NULL) {
		rc = rc ?: ktstr_argv__push(out, cfg->accel == KTSTR_ACCEL_KVM ? "kvm" : "tcg");
	} else {
		rc = rc ?: ktstr_argv__pushf(out, "tcg,thread=%s", cfg->tcg_thread);
	}
	rc = rc ?: ktstr_argv__push(out, "-cpu");
	rc = rc ?: ktstr_argv__push(out, cfg->cpu);
	rc = rc ?: ktstr_argv__push(out, "-smp");
	rc = rc
		 ?: ktstr_argv__pushf(out, "%u,sockets=%u,cores=%u,threads=%u",
				      t->llcs * t->cores * t->threads, t->llcs, t->cores,
				      t->threads);
	rc = rc ?: ktstr_argv__push(out, "-m");
	rc = rc
		 ?: ktstr_argv__pushf(
			out, "%lluM",
			(unsigned long long)ktstr_qemu_numa__total_mb(t, spec->memory_mb));
	rc = rc ?: cmd__numa(spec, out);
	rc = rc ?: ktstr_argv__split(out, "-nodefaults -no-user-config -display none -no-reboot");
	rc = rc ?: ktstr_argv__push(out, "-kernel");
	rc = rc ?: ktstr_argv__push(out, spec->kernel_image);
	rc = rc ?: ktstr_argv__push(out, "-initrd");
	rc = rc ?: ktstr_argv__push(out, spec->initramfs);
	rc = rc ?: ktstr_argv__push(out, "-append");
	rc = rc ?: ktstr_argv__push(out, spec->cmdline);
	/* COM1 = kernel console, COM2 = guest protocol */
	rc = rc ?: ktstr_argv__push(out, "-serial");
	rc = rc ?: ktstr_argv__pushf(out, "file:%s", spec->console_path);
	rc = rc ?: ktstr_argv__push(out, "-serial");
	rc = rc ?: ktstr_argv__pushf(out, "file:%s", spec->protocol_path);
	rc = rc ?: ktstr_argv__split(out, cfg->extra_args);
	if (rc < 0) {
		ktstr_argv__free(out);
		snprintf(err, errlen, "out of memory building the qemu command line");
	}
	return rc;
}

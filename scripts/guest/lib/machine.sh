# Sourced by run.sh: where each virtio disk sits on the guest's PCI(e) bus, and the
# arm64 UEFI machine. Uses run.sh's globals QEMU SCRATCH ARCH UEFI PCI_BUS; bash.
# shellcheck disable=SC2034 # sourced: these globals are used by run.sh and disks.sh

AAVMF_CODE=${AAVMF_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd}
AAVMF_VARS=${AAVMF_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd}

# uefi_add: AAVMF as libvirt configures an aarch64 <loader type='pflash'>: the
# read-only code and a private copy of the variable store, both 64 MiB pflash.
uefi_add() {
	[ -r "$AAVMF_CODE" ] && [ -r "$AAVMF_VARS" ] ||
		die "--uefi needs $AAVMF_CODE and $AAVMF_VARS (package qemu-efi-aarch64)"
	cp "$AAVMF_VARS" "$SCRATCH/VARS.fd"
	QEMU+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$AAVMF_CODE"
		-drive "if=pflash,format=raw,unit=1,file=$SCRATCH/VARS.fd")
}

# root_ports_add N: N pcie-root-ports pci.1 ... pci.N the way libvirt lays them out
# for an aarch64 virt domain: eight functions per slot of pcie.0 from slot 0x1,
# function 0 multifunction, port = 0x8 + index, chassis = index.
root_ports_add() {
	local n=$1 i slot fn addr
	for ((i = 1; i <= n; i++)); do
		slot=$(((i - 1) / 8 + 1))
		fn=$(((i - 1) % 8))
		if [ $fn = 0 ]; then
			addr=$(printf '0x%x' $slot)
			QEMU+=(-device "pcie-root-port,port=$(printf '0x%x' $((7 + i))),chassis=$i,id=pci.$i,bus=pcie.0,multifunction=on,addr=$addr")
		else
			addr=$(printf '0x%x.0x%x' $slot $fn)
			QEMU+=(-device "pcie-root-port,port=$(printf '0x%x' $((7 + i))),chassis=$i,id=pci.$i,bus=pcie.0,addr=$addr")
		fi
	done
}

# disk_slot I: "BUS ADDR" of virtio disk I (0-based; the out disk comes last).
# Fixed slots 0x4 + I on the root bus, or root port pci.(I+1) under UEFI, make the
# guest's vda, vdb, ... order deterministic.
disk_slot() {
	if [ "$UEFI" = 1 ]; then
		echo "pci.$(($1 + 1)) 0x0"
	else
		echo "$PCI_BUS $(printf '0x%x' $((4 + $1)))"
	fi
}

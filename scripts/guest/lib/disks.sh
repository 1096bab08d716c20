# Sourced by run.sh: turn a --disk SPEC (the "fault plan") into a host image and QEMU
# shellcheck disable=SC2034 # sourced: these globals are used by run.sh and proc.sh
# arguments. Uses run.sh's globals QEMU SCRATCH OUT MOUNTS FUSE_EIO; bash.

# errno_num NAME|NUMBER
errno_num() {
	case $1 in
	*[!0-9]*) ;;
	*) echo "$1"; return ;;
	esac
	case $1 in
	EPERM) echo 1 ;; EIO) echo 5 ;; ENXIO) echo 6 ;; ENOMEM) echo 12 ;;
	EACCES) echo 13 ;; EBUSY) echo 16 ;; ENODEV) echo 19 ;; EINVAL) echo 22 ;;
	EFBIG) echo 27 ;; ENOSPC) echo 28 ;; EROFS) echo 30 ;; EDQUOT) echo 122 ;;
	ETIMEDOUT) echo 110 ;; ENOTSUP | EOPNOTSUPP) echo 95 ;;
	*) die "unknown errno '$1' (use a number)" ;;
	esac
}

# json_str S: S as a JSON string (paths and names we generate; escape \ and ").
json_str() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

# blkdebug_conf RULES FILE: "EVENT[:K=V]...[+...]" -> a blkdebug config file.
blkdebug_conf() {
	local rules=$1 conf=$2 rule f k v
	: >"$conf"
	IFS=+ read -r -a _rules <<<"$rules"
	for rule in "${_rules[@]}"; do
		IFS=: read -r -a f <<<"$rule"
		[ -n "${f[0]:-}" ] || die "empty blkdebug rule in '$rules'"
		printf '[inject-error]\nevent = "%s"\n' "${f[0]}" >>"$conf"
		for kv in "${f[@]:1}"; do
			k=${kv%%=*}
			v=${kv#*=}
			[ "$kv" != "$k" ] || v=on	# a bare key such as "once"
			case $k in
			errno) v=$(errno_num "$v") ;;
			sector | once | iotype | state | immediately) ;;
			*) die "unknown blkdebug key '$k' in rule '$rule'" ;;
			esac
			printf '%s = "%s"\n' "$k" "$v" >>"$conf"
		done
		echo >>"$conf"
	done
}

# fuse_eio_image N SIZE RANGES: start the FUSE helper; set img to the file it serves.
# (These set img instead of printing it: a $(...) subshell would lose MOUNTS.)
fuse_eio_image() {
	local n=$1 size=$2 ranges=$3 mnt=$SCRATCH/fuse$1 args=() r
	[ -x "$FUSE_EIO" ] || die "fault=fuse-eio needs $FUSE_EIO (build it with 'make helpers')"
	truncate -s "$size" "$SCRATCH/disk$n.backing"
	mkdir -p "$mnt"
	IFS=+ read -r -a _ranges <<<"$ranges"
	for r in "${_ranges[@]}"; do
		case $r in
		once) args+=(--once) ;;
		delay:*) args+=(--delay "${r#delay:}") ;;
		*) args+=(--fail "$r") ;;
		esac
	done
	"$FUSE_EIO" --backing "$SCRATCH/disk$n.backing" "${args[@]}" \
		--log "$OUT/fuse-eio-$n.log" "$mnt" >&2 || die "fuse_eio failed to start"
	MOUNTS+=("fuse:$mnt")
	for _ in $(seq 50); do
		[ -e "$mnt/disk.img" ] && break
		sleep 0.1
	done
	[ -e "$mnt/disk.img" ] || die "fuse_eio mounted nothing at $mnt/disk.img"
	img=$mnt/disk.img
}

# enospc_image N SIZE TMPFS_SIZE: a sparse image on its own small tmpfs; sets img.
enospc_image() {
	local n=$1 size=$2 tsize=$3 mnt=$SCRATCH/enospc$1
	mkdir -p "$mnt"
	mount -t tmpfs -o "size=$tsize,mode=0700" "vbt-rig-enospc$n" "$mnt" ||
		die "cannot mount a $tsize tmpfs for fault=enospc (root needed)"
	MOUNTS+=("tmpfs:$mnt")
	truncate -s "$size" "$mnt/disk.img"
	img=$mnt/disk.img
}

# Cache MODE -> a -blockdev node's cache.direct / cache.no-flush, the device's write-cache.
cache_direct() { case $1 in none | directsync) echo true ;; *) echo false ;; esac; }
cache_noflush() { case $1 in unsafe) echo true ;; *) echo false ;; esac; }
cache_wce() { case $1 in writethrough | directsync) echo off ;; *) echo on ;; esac; }

# disk_add I SPEC: create disk I's image and append its QEMU arguments.
disk_add() {
	local i=$1 spec=$2 kv k v img
	local size=512M cache='' aio='' werror='' rerror='' discard='' lbs='' pbs='' queues='' serial=''
	local id=virtio-disk$1 syntax=legacy fault=none image= backend=qemu bus=virtio
	IFS=, read -r -a _kvs <<<"$spec"
	for kv in "${_kvs[@]}"; do
		k=${kv%%=*}
		v=${kv#*=}
		[ "$kv" != "$k" ] || die "disk $i: '$kv' is not KEY=VALUE"
		case $k in
		size) size=$v ;;
		cache) case $v in none | writeback | writethrough | directsync | unsafe) ;;
			*) die "disk $i: bad cache '$v'" ;; esac; cache=$v ;;
		aio) case $v in threads | native | io_uring) ;;
			*) die "disk $i: bad aio '$v'" ;; esac; aio=$v ;;
		werror | rerror) case $v in report | ignore | stop | enospc) ;;
			*) die "disk $i: bad $k '$v'" ;; esac; eval "$k=\$v" ;;
		discard) case $v in unmap | ignore | on | off) ;;
			*) die "disk $i: bad discard '$v'" ;; esac; discard=$v ;;
		lbs) lbs=$v ;;
		pbs) pbs=$v ;;
		queues) queues=$v ;;
		serial) serial=$v ;;
		id) id=$v ;;
		image) image=$v ;;
		syntax) case $v in legacy | blockdev) ;;
			*) die "disk $i: bad syntax '$v'" ;; esac; syntax=$v ;;
		fault) fault=$v ;;
		backend) case $v in qemu | vhost-user) ;;
			*) die "disk $i: bad backend '$v'" ;; esac; backend=$v ;;
		bus) case $v in virtio | scsi) ;;
			*) die "disk $i: bad bus '$v'" ;; esac; bus=$v ;;
		*) die "disk $i: unknown key '$k'" ;;
		esac
	done

	local bd=
	case $fault in
	none)
		img=${image:-$SCRATCH/disk$i.img}
		[ -n "$image" ] || truncate -s "$size" "$img" ;;
	blkdebug:*)
		img=$SCRATCH/disk$i.img
		truncate -s "$size" "$img"
		bd=$SCRATCH/blkdebug$i.conf
		blkdebug_conf "${fault#blkdebug:}" "$bd"
		cp "$bd" "$OUT/blkdebug-$i.conf" ;;
	enospc) enospc_image "$i" "$size" 4M ;;
	enospc:*) enospc_image "$i" "$size" "${fault#enospc:}" ;;
	fuse-eio:*) fuse_eio_image "$i" "$size" "${fault#fuse-eio:}" ;;
	*) die "disk $i: unknown fault '$fault'" ;;
	esac
	# pbus/addr: the PCI bus and slot of this disk's device (machine.sh).
	local pbus addr
	read -r pbus addr <<<"$(disk_slot "$i")"
	local letters=abcdefghijklmnopqrstuvwxyz gname
	if [ $bus = scsi ]; then
		gname=sd${letters:${SCSI_N:-0}:1}
	else
		gname=vd${letters:$((i - ${SCSI_N:-0})):1}
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$gname" "$id" "$img" "$spec" \
		>>"$OUT/disks.txt"
	if [ $bus = scsi ]; then
		[ $backend = qemu ] && [ $syntax = legacy ] ||
			die "disk $i: bus=scsi takes syntax=legacy and backend=qemu"
		disk_scsi
	elif [ $backend = vhost-user ]; then
		disk_vhost_user
	elif [ $syntax = legacy ]; then
		disk_legacy
	else
		disk_blockdev
	fi
}

# A disk served by qemu-storage-daemon over vhost-user-blk: the image's I/O
# (and its failures) happen in the daemon.  The guest's RAM must be shared
# memory the daemon can map.
disk_vhost_user() {
	local sock=$SCRATCH/vu$i.sock c=${cache:-none} dpid
	[ -z "$bd" ] || die "disk $i: backend=vhost-user takes no blkdebug fault"
	qemu-storage-daemon \
		--blockdev "driver=file,node-name=vu$i-file,filename=$img,cache.direct=$(cache_direct "$c")${aio:+,aio=$aio}" \
		--blockdev "driver=raw,node-name=vu$i,file=vu$i-file" \
		--export "type=vhost-user-blk,id=vu$i-export,node-name=vu$i,addr.type=unix,addr.path=$sock,writable=on" \
		>"$OUT/storage-daemon-$i.log" 2>&1 &
	dpid=$!
	MOUNTS+=("pid:$dpid")
	for _ in $(seq 50); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
	[ -S "$sock" ] || die "qemu-storage-daemon did not export $sock: $(cat "$OUT/storage-daemon-$i.log")"
	if [ -z "${VHOST_MEM:-}" ]; then
		QEMU+=(-object "memory-backend-memfd,id=vbt-mem,size=${MEM}M,share=on"
			-machine memory-backend=vbt-mem)
		VHOST_MEM=1
	fi
	QEMU+=(-chardev "socket,id=vu$i-chr,path=$sock"
		-device "vhost-user-blk-pci,bus=$pbus,addr=$addr,chardev=vu$i-chr,id=$id")
}

# -drive + -device. blkdebug is layered as raw -> blkdebug -> file with dotted options,
# so aio= and cache.direct land on the file node (where Linux AIO/io_uring live).
disk_legacy() {
	local drv dev
	if [ -n "$bd" ]; then
		drv="driver=raw,file.driver=blkdebug,file.config=$bd,file.image.driver=file"
		drv="$drv,file.image.filename=$img"
		[ -z "$aio" ] || drv="$drv,file.image.aio=$aio"
	else
		drv="file=$img,format=raw"
		[ -z "$aio" ] || drv="$drv,aio=$aio"
	fi
	drv="$drv,if=none,id=drive-$id"
	[ -z "$cache" ] || drv="$drv,cache=$cache"
	[ -z "$werror" ] || drv="$drv,werror=$werror"
	[ -z "$rerror" ] || drv="$drv,rerror=$rerror"
	[ -z "$discard" ] || drv="$drv,discard=$discard"
	dev="virtio-blk-pci,bus=$pbus,addr=$addr,drive=drive-$id,id=$id"
	[ -z "$serial" ] || dev="$dev,serial=$serial"
	[ -z "$lbs" ] || dev="$dev,logical_block_size=$lbs"
	[ -z "$pbs" ] || dev="$dev,physical_block_size=$pbs"
	[ -z "$queues" ] || dev="$dev,num-queues=$queues"
	QEMU+=(-drive "$drv" -device "$dev")
}

# A scsi-hd on one virtio-scsi-pci controller (slot 0x1f, so the virtio-blk slots and
# names stay as they are); LUN = the disk's order among the SCSI disks: sda, sdb, ...
# The guest needs --module virtio_scsi --module sd_mod and waits for the async scan.
disk_scsi() {
	local drv
	if [ -z "${SCSI_N:-}" ]; then
		QEMU+=(-device "virtio-scsi-pci,id=scsi0,bus=$PCI_BUS,addr=0x1f")
		SCSI_N=0
	fi
	if [ -n "$bd" ]; then
		drv="driver=raw,file.driver=blkdebug,file.config=$bd,file.image.driver=file"
		drv="$drv,file.image.filename=$img"
		[ -z "$aio" ] || drv="$drv,file.image.aio=$aio"
	else
		drv="file=$img,format=raw"
		[ -z "$aio" ] || drv="$drv,aio=$aio"
	fi
	drv="$drv,if=none,id=drive-$id"
	[ -z "$cache" ] || drv="$drv,cache=$cache"
	[ -z "$werror" ] || drv="$drv,werror=$werror"
	[ -z "$rerror" ] || drv="$drv,rerror=$rerror"
	QEMU+=(-drive "$drv" -device "scsi-hd,bus=scsi0.0,channel=0,scsi-id=0,lun=$SCSI_N,drive=drive-$id,id=$id${serial:+,serial=$serial}")
	SCSI_N=$((SCSI_N + 1))
}

# libvirt-shaped JSON: libvirt-N-storage (file) [-> libvirt-N-blkdebug] -> libvirt-N-format,
# numbered like libvirt does (the first disk gets the highest N).
disk_blockdev() {
	local n=$((${#DISKS[@]} - i)) c=${cache:-writeback} cj sto fmt dev file
	cj="\"cache\":{\"direct\":$(cache_direct "$c"),\"no-flush\":$(cache_noflush "$c")}"
	# A block device is QEMU's host_device, as libvirt writes it.
	local proto=file
	[ -b "$img" ] && proto=host_device
	sto="{\"driver\":\"$proto\",\"filename\":$(json_str "$img")"
	[ -z "$aio" ] || sto="$sto,\"aio\":\"$aio\""
	sto="$sto,\"node-name\":\"libvirt-$n-storage\",\"auto-read-only\":true"
	[ -z "$discard" ] || sto="$sto,\"discard\":\"$discard\""
	QEMU+=(-blockdev "$sto,$cj}")
	file=libvirt-$n-storage
	if [ -n "$bd" ]; then
		QEMU+=(-blockdev "{\"driver\":\"blkdebug\",\"node-name\":\"libvirt-$n-blkdebug\",\"config\":$(json_str "$bd"),\"image\":\"$file\",$cj}")
		file=libvirt-$n-blkdebug
	fi
	fmt="{\"node-name\":\"libvirt-$n-format\",\"read-only\":false"
	[ -z "$discard" ] || fmt="$fmt,\"discard\":\"$discard\""
	QEMU+=(-blockdev "$fmt,$cj,\"driver\":\"raw\",\"file\":\"$file\"}")
	dev="{\"driver\":\"virtio-blk-pci\",\"bus\":\"$pbus\",\"addr\":\"$addr\""
	dev="$dev,\"drive\":\"libvirt-$n-format\",\"id\":$(json_str "$id")"
	dev="$dev,\"write-cache\":\"$(cache_wce "$c")\""
	[ -z "$werror" ] || dev="$dev,\"werror\":\"$werror\""
	[ -z "$rerror" ] || dev="$dev,\"rerror\":\"$rerror\""
	[ -z "$serial" ] || dev="$dev,\"serial\":$(json_str "$serial")"
	[ -z "$lbs" ] || dev="$dev,\"logical_block_size\":$lbs"
	[ -z "$pbs" ] || dev="$dev,\"physical_block_size\":$pbs"
	[ -z "$queues" ] || dev="$dev,\"num-queues\":$queues"
	QEMU+=(-device "$dev}")
}

# out_disk_add I: the disk that carries /out back (a tar), always after the test disks.
out_disk_add() {
	local pbus addr
	read -r pbus addr <<<"$(disk_slot "$1")"
	truncate -s 256M "$SCRATCH/out.img"
	QEMU+=(-drive "file=$SCRATCH/out.img,format=raw,if=none,id=drive-rig-out"
		-device "virtio-blk-pci,bus=$pbus,addr=$addr,drive=drive-rig-out,id=rig-out,serial=vbt-rig-out")
}

import { ensureTools } from '../../src/host/tools.ts';

/** The tests use the field's real tools; on a fresh Debian machine (as root) they are installed here. */
export default function setup() {
  ensureTools(['git', 'minisign', 'openssl', 'tar', 'sha256sum', 'chromium', 'docker-registry', 'skopeo', 'htpasswd', 'python3', 'pip', 'venv', 'apt-ftparchive', 'xz', 'dpkg-deb', 'mmdebstrap', 'ip', 'unshare', 'nft', 'curl', 'mount', 'sfdisk', 'mkfs.ext4', 'e2fsck', 'debugfs', 'qemu-img', 'qemu-system-x86_64', 'mkfs.vfat', 'mcopy', 'glance']);
}

/**
 * Whether a host name or address is this machine's loopback: the server warns when it listens
 * beyond it, the OCI client speaks plain HTTP to it. In util because both floors need it (the OCI
 * client sits below serve: adr/0023).
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

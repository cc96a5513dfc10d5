/**
 * Under `npm run test:kernels` the tests run in a VM that QEMU emulates (TCG), where starting a
 * jail costs 10-30x what it does on the host. Tests that repeat jail runs only for confidence
 * (not to measure anything) repeat them fewer times there: the VM sets SECCOMPILE_EMULATED=1.
 */
export function repetitions(onHost: number, emulated: number): number {
  return process.env.SECCOMPILE_EMULATED === '1' ? emulated : onHost;
}

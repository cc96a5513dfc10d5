/**
 * `seccompile/oci`: OCI / Docker / Kubernetes seccomp profiles: import as runc and libseccomp
 * apply them, and export a policy as a profile.
 */
export {
  importOciProfile,
  loadOciFile,
  exportOciProfile,
  exportK8sProfile,
  ociProfileJson,
  OciExportError,
  formatOciDiagnostic,
  DOCKER_DEFAULT_CAPS,
  type OciImportOptions,
  type OciImportResult,
  type OciDiagnostic,
  type OciExport,
  type OciProfileOut,
} from '../oci/index.js';

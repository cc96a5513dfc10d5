/**
 * OCI / Docker / Kubernetes seccomp profiles: import (profile JSON -> PolicyIR deciding as runc +
 * libseccomp would) and export (PolicyIR -> profile JSON or a Security Profiles Operator
 * SeccompProfile). The stages: profile.ts reads and validates the JSON, resolve.ts applies the
 * engine's archMap and includes/excludes, lower.ts applies runc's and libseccomp's semantics.
 */
export { formatOciDiagnostic, type OciDiagnostic } from './diagnostic.js';
export { DOCKER_DEFAULT_CAPS, LINUX_CAPABILITIES, unknownCapability } from './resolve.js';
export { parseKernelVersion } from './profile.js';
export { importOciProfile, loadOciFile, type OciImportOptions, type OciImportResult } from './import.js';
export { exportOciProfile, exportK8sProfile, ociProfileJson, OciExportError, type OciExport, type OciExportOptions, type OciProfileOut } from './export.js';

import { describeSearch, findCloudConfig, processEnvironment, type CloudConfig, type ConfigEnvironment } from './cloud-config.js';
import { ComputeApi } from './compute.js';
import { IdentityApi } from './identity.js';
import { ImageApi } from './image.js';
import { NetworkApi } from './network.js';
import { ObjectStore } from '../object-store/client.js';
import { keystoneSwiftTransport } from './object-store.js';
import { NoCloudConfiguredError } from './errors.js';
import { OpenStackSession, type SessionOptions } from './session.js';
import { VolumeApi } from './volume.js';

/**
 * The toolkit's OpenStack client: one authenticated session and a typed API per service.
 * Talks HTTP/JSON directly (a call costs milliseconds, an `openstack` CLI call ≈3 s).
 */
export class OpenStackClient {
  readonly identity: IdentityApi;
  readonly compute: ComputeApi;
  readonly network: NetworkApi;
  readonly volume: VolumeApi;
  readonly image: ImageApi;
  readonly objectStore: ObjectStore;

  constructor(readonly session: OpenStackSession) {
    this.identity = new IdentityApi(session);
    this.compute = new ComputeApi(session);
    this.network = new NetworkApi(session);
    this.volume = new VolumeApi(session);
    this.image = new ImageApi(session);
    this.objectStore = new ObjectStore(keystoneSwiftTransport(session));
  }

  get cloud(): string {
    return this.session.cloud;
  }

  get projectId(): string {
    return this.session.projectId;
  }

  static async connect(config: CloudConfig, options: SessionOptions = {}): Promise<OpenStackClient> {
    return new OpenStackClient(await OpenStackSession.connect(config, options));
  }
}

/**
 * Connects to a cloud by clouds.yaml name (or OS_* variables). Throws NoCloudConfiguredError when
 * there are no credentials for it, CloudConfigError when they are unusable, and
 * CloudUnreachableError / AuthenticationError when the cloud does not let us in.
 */
export async function connectCloud(
  cloudName: string,
  options: SessionOptions & { environment?: ConfigEnvironment } = {},
): Promise<OpenStackClient> {
  const environment = options.environment ?? processEnvironment();
  const config = findCloudConfig(cloudName, environment);
  if (!config) {
    throw new NoCloudConfiguredError(`no credentials for cloud "${cloudName}" (looked in ${describeSearch(environment)})`);
  }
  return OpenStackClient.connect(config, options);
}

/** A cloud given by name, or an already connected client (saves a token request). */
export type CloudRef = string | OpenStackClient;

export async function clientFor(cloud: CloudRef): Promise<OpenStackClient> {
  return typeof cloud === 'string' ? connectCloud(cloud) : cloud;
}

// Types for the cdktf matchers installed in cdktf-matchers.ts, on vitest's Assertion.
import 'vitest';

interface TerraformConstructor {
  readonly tfResourceType: string;
}

interface CdktfMatchers<R = unknown> {
  toHaveResource(resourceConstructor: TerraformConstructor): R;
  toHaveResourceWithProperties(resourceConstructor: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveDataSource(dataSourceConstructor: TerraformConstructor): R;
  toHaveDataSourceWithProperties(dataSourceConstructor: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveProvider(providerConstructor: TerraformConstructor): R;
  toHaveProviderWithProperties(providerConstructor: TerraformConstructor, properties: Record<string, unknown>): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T> extends CdktfMatchers<T> {}
}

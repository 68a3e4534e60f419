import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { VectorStore, type VectorCollection } from '../../constructs/vector-store';
import { vectorInstanceIdentifier } from '../naming';
import { statefulRemoval } from '../removal';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';

export interface VectorStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly storage: StorageStack;
  readonly network: NetworkStack;
}

/**
 * RDS for PostgreSQL with pgvector, its secret and bootstrap, and its backup selection (here, in the
 * database's own stack, naming the instance: what cdk-nag's RDSInBackupPlan recognises). Stateful:
 * snapshotted on removal and termination-protected outside dev.
 */
export class VectorStack extends Stack {
  public readonly vectorStore: VectorStore;

  constructor(scope: Construct, id: string, props: VectorStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { config, storage, network } = props;
    const settings = config.vectorStore;
    const endpoint = network.network.interfaceEndpoints.secretsmanager;
    if (!endpoint) throw new Error('the vector store needs the secretsmanager interface endpoint (network.interfaceEndpoints)');

    this.vectorStore = new VectorStore(this, 'VectorStore', {
      vpc: network.network.vpc,
      vpcSubnets: network.network.workloadSubnets,
      vpcCidr: network.network.cidr,
      secretsManagerEndpoint: endpoint,
      databaseKey: storage.keys.databaseKey,
      logsKey: storage.logsKey,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      engineVersion: settings.engineVersion,
      instanceType: new ec2.InstanceType(settings.instanceClass),
      allocatedStorageGiB: settings.allocatedStorageGiB,
      maxAllocatedStorageGiB: settings.maxAllocatedStorageGiB,
      multiAz: settings.multiAz,
      deletionProtection: settings.deletionProtection,
      backupRetention: Duration.days(settings.backupRetentionDays),
      // A database is snapshotted, never simply retained or dropped, unless dev opted into DESTROY.
      removalPolicy: removal.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
      port: settings.port,
      masterUsername: settings.masterUsername,
      instanceIdentifier: vectorInstanceIdentifier(config.project, config.name),
      rotationInterval: Duration.days(settings.rotationDays),
      collections: settings.collections as VectorCollection[] | undefined,
    });

    storage.backup.selectResources(this, 'DatabaseBackup', [backup.BackupResource.fromRdsDatabaseInstance(this.vectorStore.instance)]);

    if (!settings.multiAz || !settings.deletionProtection) {
      // Only dev may get here (the schema requires both in prod); docs/decisions.md: the dev database is single-AZ and disposable.
      const reason = 'The dev database is single-AZ and disposable, without deletion protection (compliance decisions in docs/decisions.md, dev only).';
      const ids = [
        ...(settings.multiAz ? [] : ['AwsSolutions-RDS3', 'NIST.800.53.R5-RDSMultiAZSupport', 'HIPAA.Security-RDSMultiAZSupport', 'PCI.DSS.321-RDSMultiAZSupport']),
        ...(settings.deletionProtection
          ? []
          : ['AwsSolutions-RDS10', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'PCI.DSS.321-RDSInstanceDeletionProtectionEnabled']),
      ];
      if (config.name !== 'dev') throw new Error(`${config.name}: only dev may run the database without Multi-AZ or deletion protection`);
      for (const id of ids) Validations.of(this.vectorStore.instance).acknowledge({ id, reason });
    }
  }
}

import { freePorts, startClickHouse, type ClickHouseServer } from './clickhouse.ts';
import { startZooKeeper, type ZooKeeperServer } from './zookeeper.ts';

/** Two ClickHouse servers replicating one shard through a private ZooKeeper, all on loopback. */
export interface ClickHouseCluster {
  /** The cluster's name in remote_servers: what STEPLOG_CLICKHOUSE_CLUSTER takes. */
  readonly name: string;
  readonly replicas: readonly [ClickHouseServer, ClickHouseServer];
  /** Both replicas' URLs, comma-separated: what STEPLOG_CLICKHOUSE_URL takes. */
  readonly urls: string;
  readonly zookeeper: ZooKeeperServer;
  /** Stops the replicas and ZooKeeper and removes their dirs. */
  destroy(): Promise<void>;
}

const CLUSTER = 'steplog_cluster';
/**
 * A replica killed with -9 rejoins once ZooKeeper expires its old session: short here so a
 * restarted replica catches up within seconds (ClickHouse's default is 30 s).
 */
const SESSION_TIMEOUT_MS = 4_000;

const clusterConfig = (zookeeper: ZooKeeperServer, replica: string, tcpPorts: readonly number[], password: string) => `
  <zookeeper>
    <node><host>${zookeeper.host}</host><port>${zookeeper.port}</port></node>
    <session_timeout_ms>${SESSION_TIMEOUT_MS}</session_timeout_ms>
  </zookeeper>
  <macros><shard>01</shard><replica>${replica}</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  <remote_servers><${CLUSTER}><shard><internal_replication>true</internal_replication>
    ${tcpPorts
      .map(
        (port) =>
          `<replica><host>127.0.0.1</host><port>${port}</port><user>default</user><password>${password}</password></replica>`,
      )
      .join('\n    ')}
  </shard></${CLUSTER}></remote_servers>
`;

/**
 * Starts ZooKeeper and two 18.16 servers (servers/clickhouse.ts) that know each other: one shard
 * of two replicas in remote_servers (ON CLUSTER DDL), macros {shard} and {replica} for the
 * ReplicatedMergeTree paths, and the ZooKeeper section.
 */
export async function startClickHouseCluster(): Promise<ClickHouseCluster> {
  const zookeeper = await startZooKeeper();
  const started: ClickHouseServer[] = [];
  try {
    // No password for `default` (loopback only): 18.16 forwards TRUNCATE and DROP PARTITION from
    // a replica to the leader as the same user but without its password over HTTP.
    const password = '';
    const ports = [await freePorts(), await freePorts()];
    const tcpPorts = ports.map((p) => p.tcp);
    for (const [index, own] of ports.entries()) {
      const extraConfig = clusterConfig(zookeeper, `replica${index + 1}`, tcpPorts, password);
      started.push(await startClickHouse({ ports: own, password, extraConfig }));
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.destroy()));
    await zookeeper.destroy();
    throw error;
  }
  const replicas = started as unknown as readonly [ClickHouseServer, ClickHouseServer];
  return {
    name: CLUSTER,
    replicas,
    urls: replicas.map((r) => r.url).join(','),
    zookeeper,
    async destroy() {
      await Promise.all(replicas.map((r) => r.destroy()));
      await zookeeper.destroy();
    },
  };
}

// Starts an embedded Neo4j 5.26 Community DBMS with a Bolt connector on 127.0.0.1,
// for machines without Docker. Recipe: shared engineering notes, section 1.
//
// Usage: java -cp "classes:lib/*" Launcher --home DIR --port N --password-file FILE
//             [--pagecache 512m] [--import-dir DIR] [--plugins DIR]
// Prints "RINGSCOPE_NEO4J_READY bolt://127.0.0.1:N" once Bolt accepts connections.
// SIGTERM runs the shutdown hook, which stops the DBMS cleanly.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.io.ByteUnit;

public final class Launcher {
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        Path home = Path.of(require(args, "home")).toAbsolutePath();
        int port = Integer.parseInt(require(args, "port"));
        Path passwordFile = Path.of(require(args, "password-file"));
        String password = Files.readString(passwordFile).trim();
        Path importDir = Path.of(args.getOrDefault("import-dir", home.resolve("import").toString())).toAbsolutePath();
        Files.createDirectories(importDir);
        long pagecache = ByteUnit.parse(args.getOrDefault("pagecache", "512m"));
        Path plugins = Path.of(args.getOrDefault("plugins", home.resolve("plugins").toString())).toAbsolutePath();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                // ringscope's ingest procedure (procedures/): it seeks keys with the kernel's locking
                // unique-index seek, which a procedure may use only when unrestricted.
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("ringscope.*"))
                // Keep transaction logs only as far as recovery needs them: the default (2 days) kept
                // 12 GB after one 70k-account benchmark, and a 1M-account load would fill the disk.
                // This server has no backups or cluster members that would read older logs.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "512M size")
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        // The password lives only in a 0600 file written by the Node side; never on argv.
        GraphDatabaseService system = dbms.database("system");
        try (Transaction tx = system.beginTx()) {
            tx.execute("ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            tx.commit();
        } catch (RuntimeException e) {
            // A restart on an existing home: the password is already this one, and Neo4j refuses to
            // "change" a password to itself. Anything else is fatal; shut down so the JVM exits
            // (Bolt threads would otherwise keep it alive without the ready line ever printed).
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                dbms.shutdown();
                throw e;
            }
        }
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME); // wait until the default db is available

        long pid = ProcessHandle.current().pid();
        Files.writeString(home.resolve("launcher.pid"), Long.toString(pid));
        Files.writeString(home.resolve("launcher.port"), Integer.toString(port));
        System.out.println("RINGSCOPE_NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    private static String require(Map<String, String> args, String key) {
        String v = args.get(key);
        if (v == null) {
            System.err.println("missing --" + key);
            System.exit(2);
        }
        return v;
    }
}

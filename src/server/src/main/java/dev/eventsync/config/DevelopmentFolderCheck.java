package dev.eventsync.config;

import java.io.IOException;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Before any bean exists, fails a development server whose data folder another server holds, so
 * the user reads only the short report ({@link DevelopmentFolderFailureAnalyzer}), not the context's
 * refresh warning as well. The folder is taken for real by the {@code developmentFolder} bean; this
 * only probes (META-INF/spring.factories).
 */
final class DevelopmentFolderCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (!DevelopmentDatabase.applies(context.getEnvironment())) {
            return;
        }
        try (DevelopmentFolder probe = DevelopmentFolder.claim(DevelopmentDatabase.dataDir(context.getEnvironment()))) {
            // free: released at once
        } catch (IOException e) {
            // the bean meets the same problem and reports it with the folder's context
        }
    }
}
